//! The document worker: a Web Worker the app starts for work too long for the page's
//! thread (see `waymark::doc_worker`). Built by trunk beside the app.

fn main() {
    waymark::doc_worker::serve::serve();
}
