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

/// The Erlang reference cases are vendored in tests/data so that a clone tests
/// on its own; when the shared reference sits beside the repository, they must agree.
#[test]
fn vendored_reference_cases_match_the_shared_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let vendored = std::fs::read(root.join("tests/data/erlang_cases.json")).expect("vendored copy");
    let shared = root.join("../shared/reference/erlang_cases.json");
    match std::fs::read(&shared) {
        Ok(bytes) => assert!(
            bytes == vendored,
            "tests/data/erlang_cases.json differs from {}: copy it again",
            shared.display()
        ),
        Err(_) => {
            assert!(
                !crate::support::in_ci(),
                "{} is missing under CI",
                shared.display()
            );
            eprintln!(
                "note: {} not found; the vendored copy is used as it is",
                shared.display()
            )
        }
    }
}
