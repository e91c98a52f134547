//! Structure-aware: a teammate's copy of a real workspace receives a sequence of
//! arbitrary Automerge operations aimed at the schema's own keys (maps, text, lists,
//! counters, scalars of every type, deletions, at any depth), and its changes are
//! applied to ours. Applying never panics, everything still reads and exports, and the
//! workspace opens after saving.
#![no_main]
use arbitrary::Arbitrary;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, ValueRef, ROOT};
use libfuzzer_sys::fuzz_target;
use waymark_domain::export::{to_json, to_markdown};
use waymark_domain::Workspace;

/// Keys the schema uses, so operations land where readers look.
const KEYS: &[&str] = &[
    "ideas", "feedback", "personas", "stories", "documents", "competitors", "trends", "features", "releases", "links", "brief",
    "settings", "title", "description", "status", "tags", "votes", "persona", "idea", "date", "rows", "criteria",
    "framework", "score", "reach", "impact", "confidence", "effort", "deleted", "created_at", "updated_at", "name", "body",
    "kind", "threat", "schema", "workspace_id", "0123456789abcdef", "",
];

#[derive(Arbitrary, Debug)]
enum Value {
    Str(String),
    Int(i64),
    Uint(u64),
    F64(f64),
    Bool(bool),
    Counter(i64),
    Timestamp(i64),
    Bytes(Vec<u8>),
    Null,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Put { path: Vec<u8>, key: u8, value: Value },
    Make { path: Vec<u8>, key: u8, kind: u8 },
    Delete { path: Vec<u8>, key: u8 },
    Splice { path: Vec<u8>, at: u16, delete: u8, text: String },
    Insert { path: Vec<u8>, at: u16, value: Value },
    Increment { path: Vec<u8>, key: u8, by: i64 },
}

fn scalar(v: Value) -> ScalarValue {
    match v {
        Value::Str(s) => ScalarValue::Str(s.into()),
        Value::Int(i) => ScalarValue::Int(i),
        Value::Uint(u) => ScalarValue::Uint(u),
        Value::F64(f) => ScalarValue::F64(f),
        Value::Bool(b) => ScalarValue::Boolean(b),
        Value::Counter(c) => ScalarValue::counter(c),
        Value::Timestamp(t) => ScalarValue::Timestamp(t),
        Value::Bytes(b) => ScalarValue::Bytes(b),
        Value::Null => ScalarValue::Null,
    }
}

fn key(k: u8, doc: &AutoCommit, obj: &ObjId) -> String {
    // Half the time an existing key of this map (an artifact's id, say).
    if k & 1 == 1 {
        let keys: Vec<String> = doc.keys(obj).collect();
        if !keys.is_empty() {
            return keys[(k as usize >> 1) % keys.len()].clone();
        }
    }
    KEYS[(k as usize >> 1) % KEYS.len()].to_owned()
}

/// Follows `path` (each byte picks a child object) from the root as far as it goes.
fn walk(doc: &AutoCommit, path: &[u8]) -> ObjId {
    let mut obj = ROOT;
    for &step in path.iter().take(8) {
        let children: Vec<ObjId> = match doc.object_type(&obj) {
            Ok(ObjType::Map | ObjType::Table) => doc.map_range(&obj, ..).filter(|item| matches!(item.value, ValueRef::Object(_))).map(|item| item.id()).collect(),
            Ok(ObjType::List | ObjType::Text) => doc.list_range(&obj, ..).filter(|item| matches!(item.value, ValueRef::Object(_))).map(|item| item.id()).collect(),
            Err(_) => break,
        };
        if children.is_empty() {
            break;
        }
        obj = children[step as usize % children.len()].clone();
    }
    obj
}

fn apply(doc: &mut AutoCommit, op: Op) {
    let _ = match op {
        Op::Put { path, key: k, value } => {
            let obj = walk(doc, &path);
            let key = key(k, doc, &obj);
            doc.put(&obj, key, scalar(value)).map(|_| ())
        }
        Op::Make { path, key: k, kind } => {
            let obj = walk(doc, &path);
            let key = key(k, doc, &obj);
            let kind = [ObjType::Map, ObjType::List, ObjType::Text, ObjType::Table][kind as usize % 4];
            doc.put_object(&obj, key, kind).map(|_| ())
        }
        Op::Delete { path, key: k } => {
            let obj = walk(doc, &path);
            let key = key(k, doc, &obj);
            doc.delete(&obj, key)
        }
        Op::Splice { path, at, delete, text } => {
            let obj = walk(doc, &path);
            let len = doc.length(&obj);
            let at = at as usize % (len + 1);
            doc.splice_text(&obj, at, (delete as isize).min((len - at) as isize), &text)
        }
        Op::Insert { path, at, value } => {
            let obj = walk(doc, &path);
            let at = at as usize % (doc.length(&obj) + 1);
            doc.insert(&obj, at, scalar(value))
        }
        Op::Increment { path, key: k, by } => {
            let obj = walk(doc, &path);
            let key = key(k, doc, &obj);
            doc.increment(&obj, key, by)
        }
    };
}

fn base() -> &'static [u8] {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| waymark_domain::fixtures::one_of_everything().save())
}

fuzz_target!(|ops: Vec<Op>| {
    let mut ws = Workspace::load(base()).unwrap();
    let mut peer = AutoCommit::load(base()).unwrap();
    for op in ops.into_iter().take(64) {
        apply(&mut peer, op);
    }
    let _ = ws.apply(&peer.save_incremental());
    let _ = ws.problems();
    let _ = ws.link_index();
    let _ = to_json(&ws, 1);
    let _ = to_markdown(&ws);
    assert!(Workspace::load(&ws.save()).is_ok(), "the workspace still opens");
});
