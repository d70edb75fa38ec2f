//! The documentation of the tables is generated from the core schema; this keeps the
//! checked-in copy in step.

use crate::support::ok;

#[test]
fn data_model_doc_contains_the_generated_schema() {
    let generated = ok(["schema"]).stdout;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data-model.md"))
        .expect("docs/data-model.md");
    assert!(
        doc.contains(&generated),
        "docs/data-model.md is out of date: regenerate its tables with `callboard schema`"
    );
}
