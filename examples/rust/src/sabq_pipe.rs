//! examples/rust/src/sabq_pipe.rs — sabq pipes as `std::io::Read` and
//! `std::io::Write`, over three raw wasm imports (module "sabq") that the host
//! page's JavaScript supplies (examples/rust/sabq-imports.js). The pipes live
//! in a shared memory that is not this module's own, so a pipe is named by a
//! handle, and the JavaScript side copies between the two memories.
//!
//! The imports keep the contracts of the C calls they are named after
//! (include/sabq/pipe.h): they block the calling thread, so this module must
//! run in a worker, never on a browser's main thread.

use std::io;

/// Waits for ever (the C library's SABQ_FOREVER).
pub const FOREVER: u64 = u64::MAX;

#[link(wasm_import_module = "sabq")]
extern "C" {
    /// Reads at least one byte, blocking up to `timeout_ns`: the count, 0 at
    /// end of stream, or a negative errno (-ETIMEDOUT, -EPROTO, -EDEADLK).
    fn sabq_pipe_read_wait(pipe: u32, buf: *mut u8, len: u32, timeout_ns: u64) -> i32;
    /// Writes all of `buf`, blocking up to `timeout_ns` in total: `len`, the
    /// bytes written before a timeout or close, or a negative errno (-EPIPE,
    /// -ETIMEDOUT, -EPROTO, -EDEADLK).
    fn sabq_pipe_write_all(pipe: u32, buf: *const u8, len: u32, timeout_ns: u64) -> i32;
    /// Closes the pipe: the other side drains it, then sees end of stream.
    fn sabq_pipe_close(pipe: u32);
}

/// One end of a sabq pipe. Errors are `io::Error`s whose raw OS error is the
/// sabq errno (positive), so a caller can tell EPIPE from ETIMEDOUT.
pub struct Pipe {
    handle: u32,
    timeout_ns: u64,
}

/// Most bytes passed in one import call (the imports take a u32 length).
const MAX_CALL: usize = 1 << 30;

impl Pipe {
    /// The pipe the host registered as `handle`, whose blocking calls wait up
    /// to `timeout_ns` (FOREVER for no limit).
    pub fn new(handle: u32, timeout_ns: u64) -> Pipe {
        Pipe { handle, timeout_ns }
    }

    /// Closes this end (idempotent).
    pub fn close(&self) {
        // SAFETY: the import takes a plain integer and touches no memory of ours.
        unsafe { sabq_pipe_close(self.handle) }
    }
}

fn errno_error(rc: i32) -> io::Error {
    io::Error::from_raw_os_error(-rc)
}

impl io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let len = buf.len().min(MAX_CALL) as u32;
        // SAFETY: buf is valid for `len` writable bytes for the whole call.
        let rc = unsafe { sabq_pipe_read_wait(self.handle, buf.as_mut_ptr(), len, self.timeout_ns) };
        // The count comes from the other side's JavaScript: never trust it
        // beyond what we asked for.
        if rc < 0 {
            Err(errno_error(rc))
        } else if rc as u32 > len {
            Err(io::Error::new(io::ErrorKind::InvalidData, "sabq_pipe_read_wait: count beyond the buffer"))
        } else {
            Ok(rc as usize)
        }
    }
}

impl io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let len = buf.len().min(MAX_CALL) as u32;
        // SAFETY: buf is valid for `len` readable bytes for the whole call.
        let rc = unsafe { sabq_pipe_write_all(self.handle, buf.as_ptr(), len, self.timeout_ns) };
        if rc < 0 {
            Err(errno_error(rc))
        } else if rc == 0 {
            Err(io::Error::new(io::ErrorKind::WriteZero, "sabq_pipe_write_all: wrote nothing"))
        } else if rc as u32 > len {
            Err(io::Error::new(io::ErrorKind::InvalidData, "sabq_pipe_write_all: count beyond the buffer"))
        } else {
            Ok(rc as usize)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(()) // written bytes are in the pipe already
    }
}
