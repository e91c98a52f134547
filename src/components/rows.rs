//! What every keyed list row needs: its artifact's signal and whether it is the one
//! open in the editor.

use leptos::prelude::*;
use waymark_domain::{Artifact, Id};

use crate::session::Collection;

/// The signal of row `id` and whether it is the artifact open (`open`); `None` if the
/// artifact is gone (the list drops its row on the next settle).
pub fn row_state<T: Artifact>(collection: Collection<T>, id: &Id, open: Memo<Option<Id>>) -> Option<(RwSignal<T>, Memo<bool>)> {
    let item = collection.get(id)?;
    let mine = id.clone();
    Some((item, Memo::new(move |_| open.with(|o| o.as_ref() == Some(&mine)))))
}
