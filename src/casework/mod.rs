//! The case graph's vocabulary, kept out of the generic engine: every node and
//! relationship lists in its `sources` property the ids of the `Source` nodes (the
//! articles) that state it, and a relationship's `status` says how well established it
//! is. This module adds the functions that read them ([`FUNCTIONS`], registered into
//! the catalogue by `plan::functions`) and finds the documents a result rests on
//! ([`citations`]).

pub mod citations;
mod functions;

pub use functions::FUNCTIONS;

/// A dataset folder's file layout for the case graph: the documents (`Source` nodes) in
/// `sources.csv`, apart from the organisations and people.
pub const LAYOUT: crate::load::Layout = crate::load::Layout {
    documents_label: Some("Source"),
};
