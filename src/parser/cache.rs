//! Parsed statements kept by query text, so that a query run again skips the parser
//! (about 100 µs for a typical query, mostly pest's backtracking). Only syntax trees are
//! kept: plans depend on the graph (anchors are chosen by label counts), so every run
//! plans afresh.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::Statement;

use super::{SyntaxError, parse};

/// How many distinct query texts are kept; the least recently used goes first.
const CAPACITY: usize = 128;

/// A least-recently-used map from query text to its statements.
#[derive(Debug, Default)]
pub struct ParseCache {
    entries: HashMap<String, (Arc<[Statement]>, u64)>,
    clock: u64,
    hits: u64,
}

impl ParseCache {
    /// The statements of `text`, parsed now or earlier. Errors are not kept: a text that
    /// fails to parse is parsed again, to report the error again.
    ///
    /// # Errors
    /// As [`parse`].
    pub fn parse(&mut self, text: &str) -> Result<Arc<[Statement]>, SyntaxError> {
        self.clock += 1;
        if let Some((statements, used)) = self.entries.get_mut(text) {
            *used = self.clock;
            self.hits += 1;
            return Ok(statements.clone());
        }
        let statements: Arc<[Statement]> = parse(text)?.into();
        if self.entries.len() >= CAPACITY {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(text, _)| text.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.entries
            .insert(text.to_string(), (statements.clone(), self.clock));
        Ok(statements)
    }

    /// How many calls were answered without parsing.
    pub fn hits(&self) -> u64 {
        self.hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cache_answers_a_repeated_text_without_parsing() {
        let mut cache = ParseCache::default();
        let first = cache.parse("MATCH (n) RETURN n").unwrap();
        let again = cache.parse("MATCH (n) RETURN n").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(cache.hits(), 1);
        assert_eq!(*first, *parse("MATCH (n) RETURN n").unwrap());
    }

    #[test]
    fn parse_cache_reports_errors_every_time() {
        let mut cache = ParseCache::default();
        assert!(cache.parse("MATCH (n RETURN n").is_err());
        assert!(cache.parse("MATCH (n RETURN n").is_err());
        assert_eq!(cache.hits(), 0);
    }

    #[test]
    fn parse_cache_evicts_the_least_recently_used() {
        let mut cache = ParseCache::default();
        let text = |i: usize| format!("RETURN {i}");
        for i in 0..CAPACITY {
            cache.parse(&text(i)).unwrap();
        }
        cache.parse(&text(0)).unwrap(); // 0 is now the most recent, 1 the oldest
        cache.parse(&text(CAPACITY)).unwrap();
        assert_eq!(cache.entries.len(), CAPACITY);
        assert!(cache.entries.contains_key(&text(0)));
        assert!(!cache.entries.contains_key(&text(1)));
    }
}
