//! Any bytes as a Bolt message stream: chunk framing, PackStream decoding, request
//! parsing and parameter conversion return values or errors, never panic, and nothing is
//! allocated beyond what the input can hold. What decodes encodes back to bytes that
//! decode to the same value.
#![no_main]

use datatrail::server::bolt::{chunk, message};
use datatrail::server::packstream::{decode, to_bytes};
use datatrail::server::values::from_packed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    while let Ok(Some(bytes)) = chunk::read_message(&mut input, 1 << 20) {
        let Ok(value) = decode(&bytes) else {
            continue;
        };
        let again = decode(&to_bytes(&value)).expect("an encoded value decodes");
        // NaN is not equal to itself; compare the encodings instead.
        assert_eq!(to_bytes(&again), to_bytes(&value));
        if let Ok(message::Request::Run { params, .. }) = message::parse(value) {
            for (_, param) in params {
                let _ = from_packed(param);
            }
        }
    }
});
