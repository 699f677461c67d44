// plugins/rust/stdfs.rs — the WASI preview1 paths where Rust's std does not
// go the way wasi-libc does: the rights std::fs::OpenOptions asks for (path
// rights on regular files too, inheriting = base), std::fs::hard_link, and
// metadata().nlink(). Each check prints "ok NAME" or "FAIL NAME: what"; the
// exit status is the number of failures.
//
//   stdfs all DIR [FLAG...]   FLAGs: no-hard-links (OPFS: ENOTSUP),
//                             read-only (an image: EROFS)
//
// nlink() and the raw fd are std::os::wasi's, which Rust 1.63 keeps behind the
// `wasi_ext` feature gate: mk/plugins.mk builds this one program with
// RUSTC_BOOTSTRAP=1 to open it (Debian's rustc is fixed at 1.63, so the API
// cannot move under it).
#![feature(wasi_ext)]

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::wasi::fs::MetadataExt;
use std::os::wasi::io::AsRawFd;
use std::path::Path;

// WASI errnos, as io::Error::raw_os_error gives them.
const EBADF: i32 = 8;
const EEXIST: i32 = 20;
const EISDIR: i32 = 31;
const ENOTSUP: i32 = 58;
const EPERM: i32 = 63;
const EROFS: i32 = 69;

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const RIGHT_PATH_OPEN: u64 = 1 << 13;

#[repr(C)]
#[derive(Default)]
struct Fdstat {
    filetype: u8,
    flags: u16,
    rights_base: u64,
    rights_inheriting: u64,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_fdstat_get(fd: u32, out: *mut Fdstat) -> u16;
}

/// What fd_fdstat_get says of `file` (std has no call for it).
fn fdstat(file: &File) -> Fdstat {
    let mut st = Fdstat::default();
    // SAFETY: `st` is a valid, writable fdstat of the layout preview1 defines.
    let errno = unsafe { fd_fdstat_get(file.as_raw_fd() as u32, &mut st) };
    if errno != 0 {
        st.filetype = 0xee;
    }
    st
}

struct Checks {
    failures: i32,
}

impl Checks {
    fn check(&mut self, name: &str, ok: bool, what: String) {
        if ok {
            println!("ok {name}");
        } else {
            println!("FAIL {name}: {what}");
            self.failures += 1;
        }
    }

    /// `r` failed with the WASI errno `want`.
    fn errno<T>(&mut self, name: &str, r: std::io::Result<T>, want: i32) {
        let got = r.err().and_then(|e| e.raw_os_error());
        self.check(name, got == Some(want), format!("errno {got:?}, wanted {want}"));
    }
}

fn rights(c: &mut Checks, d: &Path) {
    let p = d.join("std.txt");
    fs::write(&p, "hello").unwrap_or_default();

    // File::open: read rights (and the path rights std asks for every file, which a file cannot have).
    let mut f = File::open(&p).expect("open");
    let st = fdstat(&f);
    c.check("open_read_rights", st.rights_base & RIGHT_FD_READ != 0 && st.rights_base & RIGHT_FD_WRITE == 0
        && st.rights_base & RIGHT_PATH_OPEN == 0 && st.rights_inheriting == 0,
        format!("base {:x} inheriting {:x}", st.rights_base, st.rights_inheriting));
    let mut s = String::new();
    c.check("open_read", f.read_to_string(&mut s).is_ok() && s == "hello", format!("read {s:?}"));
    c.check("open_seek", f.seek(SeekFrom::Start(1)).ok() == Some(1), "seek".into());
    c.check("open_metadata", f.metadata().map(|m| m.len() == 5 && m.is_file()).unwrap_or(false), "metadata".into());
    c.errno("open_read_only_write_ebadf", f.write(b"x"), EBADF);
    c.errno("open_read_only_set_len_ebadf", f.set_len(0), EBADF);

    // Write only: reads are EBADF.
    let mut w = OpenOptions::new().write(true).open(&p).expect("open for writing");
    let st = fdstat(&w);
    c.check("write_rights", st.rights_base & RIGHT_FD_WRITE != 0 && st.rights_base & RIGHT_FD_READ == 0,
        format!("base {:x}", st.rights_base));
    c.check("write", w.write(b"J").ok() == Some(1), "write".into());
    c.errno("write_only_read_ebadf", w.read(&mut [0u8; 4]), EBADF);
    drop(w);
    let mut a = OpenOptions::new().append(true).open(&p).expect("open for appending");
    c.check("append", a.write(b"!").is_ok() && fs::read_to_string(&p).ok().as_deref() == Some("Jello!"),
        format!("{:?}", fs::read_to_string(&p)));
    drop(a);
    c.errno("create_new_exists", OpenOptions::new().write(true).create_new(true).open(&p), EEXIST);
    let t = File::create(&p).expect("create");
    c.check("create_truncates", t.metadata().map(|m| m.len() == 0).unwrap_or(false), "length".into());

    // A directory: File::open works, reading it does not, writing it is refused at open.
    let sub = d.join("stdsub");
    fs::create_dir(&sub).unwrap_or_default();
    fs::write(sub.join("x"), "x").unwrap_or_default();
    let mut dir = File::open(&sub).expect("open a directory");
    c.check("dir_open_metadata", dir.metadata().map(|m| m.is_dir()).unwrap_or(false), "not a directory".into());
    c.errno("dir_read_ebadf", dir.read(&mut [0u8; 4]), EBADF);
    c.errno("dir_open_for_write_eisdir", OpenOptions::new().write(true).open(&sub), EISDIR);
    let names: Vec<String> = fs::read_dir(&sub).map(|r| r.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    c.check("read_dir", names == ["x"], format!("{names:?}"));
}

fn links(c: &mut Checks, d: &Path, no_hard_links: bool) {
    let a = d.join("la");
    let b = d.join("lb");
    fs::write(&a, "linked").unwrap_or_default();
    c.check("nlink_one", fs::metadata(&a).map(|m| m.nlink() == 1).unwrap_or(false), "nlink".into());
    if no_hard_links {
        c.errno("hard_link_unsupported", fs::hard_link(&a, &b), ENOTSUP);
        c.check("hard_link_unsupported_made_nothing", !b.exists(), "made".into());
        return;
    }
    c.check("hard_link", fs::hard_link(&a, &b).is_ok(), "hard_link".into());
    let (ma, mb) = (fs::metadata(&a).expect("a"), fs::metadata(&b).expect("b"));
    c.check("hard_link_nlink", ma.nlink() == 2 && mb.nlink() == 2, format!("{} {}", ma.nlink(), mb.nlink()));
    c.check("hard_link_same_inode", ma.ino() == mb.ino() && ma.dev() == mb.dev(), format!("{} {}", ma.ino(), mb.ino()));
    c.check("hard_link_same_times", ma.modified().ok() == mb.modified().ok() && ma.mtim() == mb.mtim() && ma.ctim() == mb.ctim(),
        "times differ".into());
    let open = File::open(&b).expect("open b");
    c.check("hard_link_file_metadata_nlink", open.metadata().map(|m| m.nlink() == 2).unwrap_or(false), "fd nlink".into());
    fs::write(&b, "through b").unwrap_or_default();
    c.check("hard_link_shared_bytes", fs::read_to_string(&a).ok().as_deref() == Some("through b"), format!("{:?}", fs::read_to_string(&a)));
    fs::create_dir(d.join("ldir")).unwrap_or_default();
    let c3 = d.join("ldir").join("lc");
    c.check("hard_link_across_directories", fs::hard_link(&b, &c3).is_ok() && fs::metadata(&a).map(|m| m.nlink() == 3).unwrap_or(false),
        "nlink".into());
    c.check("remove_one_keeps_others", fs::remove_file(&a).is_ok() && fs::read_to_string(&b).ok().as_deref() == Some("through b")
        && fs::metadata(&c3).map(|m| m.nlink() == 2).unwrap_or(false), "after remove".into());
    c.errno("hard_link_exists", fs::hard_link(&b, &c3), EEXIST);
    c.errno("hard_link_directory", fs::hard_link(d.join("ldir"), d.join("ldir2")), EPERM);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 || args[1] != "all" {
        eprintln!("usage: stdfs all DIR [no-hard-links|read-only]...");
        std::process::exit(100);
    }
    let d = Path::new(&args[2]);
    let flag = |f: &str| args[3..].iter().any(|a| a == f);
    let mut c = Checks { failures: 0 };
    if flag("read-only") {
        c.errno("hard_link_read_only", fs::hard_link(d.join("readme.txt"), d.join("again.txt")), EROFS);
        c.errno("create_read_only", File::create(d.join("new.txt")), EROFS);
    } else {
        rights(&mut c, d);
        links(&mut c, d, flag("no-hard-links"));
    }
    std::process::exit(c.failures);
}
