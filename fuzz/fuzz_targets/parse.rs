//! Any text: the parser returns statements or a syntax error, never panics or overflows
//! the stack. What it accepts prints back to text that parses to the same tree.
#![no_main]

use datatrail::ast_print::dump;
use datatrail::parser::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(statements) = parse(text) else {
        return;
    };
    for statement in &statements {
        let printed = statement.to_string();
        let reparsed = match parse(&printed) {
            Ok(reparsed) => reparsed,
            Err(e) => panic!("printed statement does not parse: {e}\n{printed}"),
        };
        assert_eq!(reparsed.len(), 1, "printed statement: {printed}");
        assert_eq!(
            dump(&reparsed[0]),
            dump(statement),
            "printed statement: {printed}"
        );
    }
});
