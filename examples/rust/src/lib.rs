//! examples/rust/src/lib.rs — a Rust host in a worker, serving requests that
//! the page writes into a sabq pipe and answering through another: the loop a
//! wasm-bindgen app runs when its plugin's `fd_read` must wait for the page
//! (docs/embedding.md). It blocks in reads while the page stays free. Built
//! with Debian's rustc for wasm32-unknown-unknown as a cdylib, no crates
//! (`make rust`); run by tests/js/rust-host.test.mjs and the browser tests.
//!
//! The service is a small key-value store, one request per line:
//!   set KEY VALUE -> ok            get KEY -> VALUE or missing
//!   len KEY -> bytes or missing    del KEY -> ok or missing
//!   count -> number of keys        anything else -> error: ...
//! At end of input it answers `bye N` (N requests served) and closes.

mod sabq_pipe;

use sabq_pipe::{Pipe, FOREVER};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

/// Longest request line; a longer one is answered with an error and skipped,
/// so a page cannot make the host buffer without bound.
const MAX_REQUEST: usize = 1 << 20;
/// sabq's errno for a peer that broke the protocol (bindings-js errno.EPROTO).
const EPROTO: i32 = 71;

/// Serves the requests arriving on pipe handle `requests`, answering on
/// `answers`, until end of stream. Returns the number of requests served, or
/// a negative sabq errno (-EPIPE when the page closed the answers pipe).
#[no_mangle]
pub extern "C" fn serve(requests: u32, answers: u32) -> i32 {
    let mut input = BufReader::new(Pipe::new(requests, FOREVER));
    let mut output = BufWriter::new(Pipe::new(answers, FOREVER));
    let result = serve_stream(&mut input, &mut output);
    input.get_ref().close();
    output.get_ref().close(); // a write after this fails at once with EPIPE
    match result {
        Ok(served) => served.min(i32::MAX as u64) as i32,
        Err(e) => -e.raw_os_error().unwrap_or(EPROTO),
    }
}

/// The loop, over any reader and writer (so it reads like any Rust I/O code).
fn serve_stream<R: Read>(input: &mut BufReader<R>, output: &mut impl Write) -> io::Result<u64> {
    let mut store: HashMap<String, String> = HashMap::new();
    let mut served = 0u64;
    let mut line = Vec::new();
    loop {
        // Answers stay buffered while whole requests are waiting; before a
        // read that may block, the page must have every answer so far, or
        // both sides would wait for each other.
        if !input.buffer().contains(&b'\n') {
            output.flush()?;
        }
        line.clear();
        let n = input.by_ref().take(MAX_REQUEST as u64 + 1).read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        let answer = if line.len() > MAX_REQUEST && line.last() != Some(&b'\n') {
            skip_line(input)?;
            format!("error: request over {} bytes", MAX_REQUEST)
        } else {
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            match std::str::from_utf8(&line) {
                Ok(request) => answer(&mut store, request),
                Err(_) => "error: request is not UTF-8".to_string(),
            }
        };
        output.write_all(answer.as_bytes())?;
        output.write_all(b"\n")?;
        served += 1;
    }
    writeln!(output, "bye {}", served)?;
    output.flush()?;
    Ok(served)
}

/// Discards input up to and including the next newline (or to the end).
fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let all = buf.len();
                input.consume(all);
            }
        }
    }
}

fn answer(store: &mut HashMap<String, String>, request: &str) -> String {
    let mut parts = request.splitn(3, ' ');
    let verb = parts.next().unwrap_or("");
    let key = parts.next();
    let value = parts.next();
    match (verb, key, value) {
        ("set", Some(k), Some(v)) => {
            store.insert(k.to_string(), v.to_string());
            "ok".to_string()
        }
        ("get", Some(k), None) => store.get(k).cloned().unwrap_or_else(|| "missing".to_string()),
        ("len", Some(k), None) => store.get(k).map_or("missing".to_string(), |v| v.len().to_string()),
        ("del", Some(k), None) => if store.remove(k).is_some() { "ok" } else { "missing" }.to_string(),
        ("count", None, None) => store.len().to_string(),
        ("set", _, _) => "error: usage: set KEY VALUE".to_string(),
        ("get" | "len" | "del", _, _) => format!("error: usage: {} KEY", verb),
        _ => format!("error: unknown request '{}'", verb),
    }
}
