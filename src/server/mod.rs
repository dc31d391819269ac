//! `datatrail serve`: the Bolt protocol over TCP, TLS and WebSocket.

pub mod packstream;
pub mod values;
