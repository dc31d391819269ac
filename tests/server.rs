//! `datatrail serve` driven by a raw Bolt client: bad clients (half handshakes, garbage,
//! HTTP on the Bolt port, truncated chunks, wrong markers, deep nesting, oversized
//! messages, too many connections) are dropped while others keep being served; Bolt over
//! WebSocket; a disconnected client's transaction is rolled back; SIGTERM lets a running
//! statement finish and exits 0.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use datatrail::server::bolt::chunk;
use datatrail::server::packstream::{Packed, decode, to_bytes};

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let open = if args.contains(&"--auth") {
            &[][..]
        } else {
            &["--auth", "none"][..]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_datatrail"))
            .args(["serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(open)
            .args(args)
            .env_remove("DATATRAIL_AUTH")
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("a listening line").unwrap();
            if let Some(address) = line.strip_prefix("bolt: listening on ") {
                break address.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, port }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    /// A client that has shaken hands and logged on.
    fn client(&self) -> Client {
        let mut c = Client {
            stream: self.connect(),
        };
        c.stream
            .write_all(&[
                0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0,
            ])
            .unwrap();
        let mut version = [0u8; 4];
        c.stream.read_exact(&mut version).unwrap();
        assert_eq!(version, [0, 0, 4, 5]);
        c.request(0x01, vec![map(&[("user_agent", Packed::str("test/1"))])]);
        c.request(0x6A, vec![map(&[("scheme", Packed::str("none"))])]);
        c
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn map(entries: &[(&str, Packed)]) -> Packed {
    Packed::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

struct Client {
    stream: TcpStream,
}

impl Client {
    fn send(&mut self, tag: u8, fields: Vec<Packed>) {
        let mut out = Vec::new();
        chunk::write_message(&mut out, &to_bytes(&Packed::Struct(tag, fields))).unwrap();
        self.stream.write_all(&out).unwrap();
    }

    fn receive(&mut self) -> Packed {
        let bytes = chunk::read_message(&mut self.stream, 1 << 30)
            .unwrap()
            .expect("a response");
        decode(&bytes).unwrap()
    }

    /// Sends a request and returns its SUCCESS metadata, panicking on anything else.
    fn request(&mut self, tag: u8, fields: Vec<Packed>) -> Packed {
        self.send(tag, fields);
        match self.receive() {
            Packed::Struct(0x70, mut meta) => meta.remove(0),
            other => panic!("expected SUCCESS, got {other:?}"),
        }
    }

    /// Runs a query and pulls every record.
    fn query(&mut self, query: &str) -> Vec<Packed> {
        self.request(0x10, vec![Packed::str(query), map(&[]), map(&[])]);
        self.send(0x3F, vec![map(&[("n", Packed::Int(-1))])]);
        let mut records = Vec::new();
        loop {
            match self.receive() {
                Packed::Struct(0x71, mut fields) => records.push(fields.remove(0)),
                Packed::Struct(0x70, _) => return records,
                other => panic!("expected RECORD or SUCCESS, got {other:?}"),
            }
        }
    }

    fn is_closed(&mut self) -> bool {
        let mut buf = [0u8; 256];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }
}

fn one(records: &[Packed]) -> Packed {
    match &records[0] {
        Packed::List(values) => values[0].clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_clients_are_dropped_and_others_served() {
    let server = Server::start(&["--handshake-timeout", "0.5", "--max-message-size", "4K"]);
    let mut good = server.client();

    // Half a handshake, then silence: dropped after the handshake timeout.
    let mut half = server.connect();
    half.write_all(&[0x60, 0x60, 0xB0, 0x17, 0, 0]).unwrap();
    let started = Instant::now();
    let mut c = Client { stream: half };
    assert!(c.is_closed());
    assert!(started.elapsed() < Duration::from_secs(5));

    // Garbage and an HTTP request on the Bolt port.
    for junk in [&b"garbage bytes here"[..], b"POST / HTTP/1.1\r\n\r\n"] {
        let mut s = server.connect();
        s.write_all(junk).unwrap();
        assert!(Client { stream: s }.is_closed());
    }

    // A wrong PackStream marker: FAILURE, then closed.
    let mut bad = server.client();
    let mut out = Vec::new();
    chunk::write_message(&mut out, &[0xB1, 0x10, 0xC7]).unwrap();
    bad.stream.write_all(&out).unwrap();
    let Packed::Struct(0x7F, meta) = bad.receive() else {
        panic!("no FAILURE")
    };
    let Packed::Map(meta) = &meta[0] else {
        panic!()
    };
    assert_eq!(meta["code"], Packed::str("Neo.ClientError.Request.Invalid"));
    assert!(bad.is_closed());

    // Parameters nested too deep.
    let mut deep = server.client();
    let mut nested = Packed::Null;
    for _ in 0..100 {
        nested = Packed::List(vec![nested]);
    }
    deep.send(
        0x10,
        vec![Packed::str("RETURN $p"), map(&[("p", nested)]), map(&[])],
    );
    assert!(matches!(deep.receive(), Packed::Struct(0x7F, _)));
    assert!(deep.is_closed());

    // A message over the size limit.
    let mut big = server.client();
    let query = format!("RETURN '{}'", "x".repeat(5000));
    big.send(0x10, vec![Packed::str(&query), map(&[]), map(&[])]);
    assert!(big.is_closed());

    // A truncated chunk, then the client goes away.
    let mut cut = server.client();
    cut.stream.write_all(&[0x00, 0x40, 0xB1, 0x10]).unwrap();
    drop(cut);

    assert_eq!(one(&good.query("RETURN 1 + 1")), Packed::Int(2));
}

#[test]
fn connections_over_the_cap_are_closed() {
    let server = Server::start(&["--max-connections", "2"]);
    let mut first = server.client();
    let second = server.client();
    let mut third = Client {
        stream: server.connect(),
    };
    assert!(third.is_closed());
    drop(second);
    // The freed place is taken again once the server sees the close.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut s = server.connect();
        s.write_all(&[
            0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        .unwrap();
        let mut version = [0u8; 4];
        if s.read_exact(&mut version).is_ok() {
            assert_eq!(version, [0, 0, 4, 5]);
            break;
        }
        assert!(Instant::now() < deadline, "the freed place was not reused");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(one(&first.query("RETURN 7")), Packed::Int(7));
}

#[test]
fn a_disconnected_clients_transaction_is_rolled_back() {
    let server = Server::start(&["--lock-timeout", "5"]);
    let mut a = server.client();
    a.request(0x11, vec![map(&[])]);
    a.request(
        0x10,
        vec![Packed::str("CREATE (:Gone)"), map(&[]), map(&[])],
    );
    drop(a);
    let mut b = server.client();
    // The writer token comes back with the connection.
    b.query("CREATE (:Kept)");
    assert_eq!(
        one(&b.query("MATCH (n:Gone) RETURN count(n)")),
        Packed::Int(0)
    );
    assert_eq!(
        one(&b.query("MATCH (n:Kept) RETURN count(n)")),
        Packed::Int(1)
    );
}

#[test]
fn pull_pages_with_has_more() {
    let server = Server::start(&[]);
    let mut c = server.client();
    c.request(
        0x10,
        vec![
            Packed::str("UNWIND range(1, 5) AS i RETURN i"),
            map(&[]),
            map(&[]),
        ],
    );
    let mut seen = Vec::new();
    for expect_more in [true, true, false] {
        c.send(0x3F, vec![map(&[("n", Packed::Int(2))])]);
        loop {
            match c.receive() {
                Packed::Struct(0x71, f) => seen.push(f[0].clone()),
                Packed::Struct(0x70, meta) => {
                    let Packed::Map(meta) = &meta[0] else {
                        panic!()
                    };
                    let more = meta.get("has_more") == Some(&Packed::Bool(true));
                    assert_eq!(more, expect_more);
                    if !more {
                        assert_eq!(meta["type"], Packed::str("r"));
                    }
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(seen.len(), 5);
    // DISCARD the rest of a result.
    c.request(
        0x10,
        vec![
            Packed::str("UNWIND range(1, 5) AS i RETURN i"),
            map(&[]),
            map(&[]),
        ],
    );
    c.send(0x3F, vec![map(&[("n", Packed::Int(1))])]);
    assert!(matches!(c.receive(), Packed::Struct(0x71, _)));
    assert!(matches!(c.receive(), Packed::Struct(0x70, _)));
    let meta = c.request(0x2F, vec![map(&[("n", Packed::Int(-1))])]);
    let Packed::Map(meta) = meta else { panic!() };
    assert!(meta.contains_key("t_last"));
}

#[test]
fn bolt_over_websocket() {
    let server = Server::start(&[]);
    let url = format!("ws://127.0.0.1:{}", server.port);
    let (mut ws, _) = tungstenite::connect(url).expect("WebSocket upgrade");
    use tungstenite::Message;
    let mut handshake = vec![0x60, 0x60, 0xB0, 0x17];
    handshake.extend([0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    ws.send(Message::binary(handshake)).unwrap();
    let reply = ws.read().unwrap().into_data();
    assert_eq!(&reply[..], &[0, 0, 4, 5]);
    let mut send = |tag: u8, fields: Vec<Packed>| {
        let mut out = Vec::new();
        chunk::write_message(&mut out, &to_bytes(&Packed::Struct(tag, fields))).unwrap();
        ws.send(Message::binary(out)).unwrap();
        let data = ws.read().unwrap().into_data();
        let mut input: &[u8] = &data;
        let mut responses = Vec::new();
        while let Some(m) = chunk::read_message(&mut input, 1 << 20).unwrap() {
            responses.push(decode(&m).unwrap());
        }
        responses
    };
    send(0x01, vec![map(&[])]);
    send(0x6A, vec![map(&[("scheme", Packed::str("none"))])]);
    send(
        0x10,
        vec![Packed::str("RETURN 'ws' AS x"), map(&[]), map(&[])],
    );
    let pulled = send(0x3F, vec![map(&[("n", Packed::Int(-1))])]);
    assert_eq!(
        pulled[0],
        Packed::Struct(0x71, vec![Packed::List(vec![Packed::str("ws")])])
    );
}

#[test]
fn sigterm_lets_the_running_statement_finish_and_exits_0() {
    let mut server = Server::start(&["--grace", "120"]);
    let mut c = server.client();
    let query = "UNWIND range(1, 1000000) AS i WITH i WHERE i % 7 = 0 RETURN count(i)";
    c.send(0x10, vec![Packed::str(query), map(&[]), map(&[])]);
    c.send(0x3F, vec![map(&[("n", Packed::Int(-1))])]);
    // Time for the server to take the request in (the statement runs far longer).
    std::thread::sleep(Duration::from_millis(300));
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    // The answer had been written before the process ended.
    assert!(matches!(c.receive(), Packed::Struct(0x70, _)));
    assert_eq!(
        c.receive(),
        Packed::Struct(0x71, vec![Packed::List(vec![Packed::Int(142857)])])
    );
}

#[test]
fn bolt_4_4_takes_credentials_in_hello_and_sends_legacy_structures() {
    let server = Server::start(&["--auth", "neo4j/pw"]);
    let hello = |password: &str| {
        let mut c = Client {
            stream: server.connect(),
        };
        // A 4.x driver: 4.4 down to 4.2, and 3.0.
        c.stream
            .write_all(&[
                0x60, 0x60, 0xB0, 0x17, 0, 2, 4, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0,
            ])
            .unwrap();
        let mut version = [0u8; 4];
        c.stream.read_exact(&mut version).unwrap();
        assert_eq!(version, [0, 0, 4, 4]);
        c.send(
            0x01,
            vec![map(&[
                ("scheme", Packed::str("basic")),
                ("principal", Packed::str("neo4j")),
                ("credentials", Packed::str(password)),
            ])],
        );
        (c.receive(), c)
    };
    let (refused, mut c) = hello("wrong");
    let Packed::Struct(0x7F, meta) = refused else {
        panic!("{refused:?}")
    };
    let Packed::Map(meta) = &meta[0] else {
        panic!()
    };
    assert_eq!(
        meta["code"],
        Packed::str("Neo.ClientError.Security.Unauthorized")
    );
    assert!(c.is_closed());
    let (accepted, mut c) = hello("pw");
    assert!(matches!(accepted, Packed::Struct(0x70, _)));
    let node = one(&c.query("CREATE (n:X {a: 1}) RETURN n"));
    let Packed::Struct(0x4E, fields) = node else {
        panic!("{node:?}")
    };
    assert_eq!(fields.len(), 3, "4.4 nodes have no element id");
    let dt = one(&c.query("RETURN datetime('1970-01-01T01:00+01:00')"));
    assert_eq!(
        dt,
        Packed::Struct(
            0x46,
            vec![Packed::Int(3600), Packed::Int(0), Packed::Int(3600)]
        )
    );
}
