//! One windowed list for every long list: a spacer as tall as all its rows, holding
//! only the rows on screen (and a few either side). Scrolling 10,000 ideas paints what
//! fits on the screen, and an edit re-renders one row.

use leptos::html::Div;
use leptos::prelude::*;

/// Rows kept in the DOM above and below the visible ones.
const OVERSCAN: usize = 8;

/// The visible slice of a list of fixed-height rows in a scrolling `div`.
#[derive(Clone, Copy)]
pub struct Window {
    scroller: NodeRef<Div>,
    scroll_top: RwSignal<f64>,
    viewport: RwSignal<f64>,
    row_height: f64,
    len: Signal<usize>,
    /// The rows to render: first index and one past the last.
    pub range: Memo<(usize, usize)>,
}

impl Window {
    /// Follows `scroller` (its scroll position, and its height when the window is
    /// resized) over `len` rows of `row_height` CSS pixels.
    pub fn new(scroller: NodeRef<Div>, len: Signal<usize>, row_height: f64) -> Window {
        let scroll_top = RwSignal::new(0.0);
        let viewport = RwSignal::new(900.0);
        let range = Memo::new(move |_| {
            let n = len.get();
            let first = ((scroll_top.get() / row_height) as usize).saturating_sub(OVERSCAN).min(n);
            let count = (viewport.get() / row_height).ceil() as usize + 2 * OVERSCAN;
            (first, (first + count).min(n))
        });
        let window = Window { scroller, scroll_top, viewport, row_height, len, range };
        Effect::new(move |_| {
            if scroller.get().is_some() {
                // At the next frame, not now: measuring forces a layout of the whole
                // screen, which the first render of a long list would pay in its task.
                request_animation_frame(move || window.measure());
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| window.measure());
        on_cleanup(move || resize.remove());
        window
    }

    /// Reads the scroller's position and height (on scroll, and on resize).
    /// (Nothing once the list is gone: a measure asked for at the next frame may come
    /// after.)
    pub fn measure(&self) {
        if let Some(el) = self.scroller.try_get_untracked().flatten() {
            self.scroll_top.try_set(el.scroll_top() as f64);
            self.viewport.try_set(el.client_height().max(1) as f64);
        }
    }

    /// The spacer's height: every row's.
    pub fn height(&self) -> String {
        format!("{}px", self.len.get() as f64 * self.row_height)
    }

    /// The space above the first rendered row.
    pub fn offset(&self) -> String {
        format!("{}px", self.range.get().0 as f64 * self.row_height)
    }
}
