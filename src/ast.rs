//! The syntax tree, close to the grammar, with a span on every expression.
