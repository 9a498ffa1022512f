//! Memory the server hands back to the operating system once it is up, so an idle process
//! holds what it uses and not what start-up once touched (`deploy/bench/README.md`,
//! "Idle memory"): the code pages only start-up ran, and heap pages worker threads freed.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Unmaps the pages of this process's own executable that start-up (migrations,
/// configuration, router and spec construction, the workers' first rounds) ran and no request
/// runs again: the kernel maps 64 KiB (or a whole large folio) around every code page it
/// faults in, so most of the binary stays mapped after start-up. Pages that run again are
/// mapped back from the page cache (a minor fault; the file stays cached). Returns the bytes
/// advised.
///
/// Code (`r-x`) is dropped with `MADV_DONTNEED`, which needs no permission on the file (the
/// container image runs as a user that does not own the binary); in a private file mapping
/// it refills from the file, which is exactly what code that is never written holds.
/// Read-only data (`r--`) may hold pages the loader wrote (relocations, then made read-only),
/// which `MADV_DONTNEED` would lose: it gets `MADV_PAGEOUT`, which only ever drops clean file
/// pages (a no-op where the process may not write the file).
pub fn release_startup_code() -> std::io::Result<usize> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    let exe = exe.to_string_lossy();
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let mut advised = 0;
    for m in maps.lines().filter_map(|line| read_only_mapping_of(line, &exe)) {
        let advice = if m.executable { libc::MADV_DONTNEED } else { libc::MADV_PAGEOUT };
        // SAFETY: `m` is a mapping of this process (read from /proc/self/maps) without write
        // access. Executable pages of the binary are never written (no text relocations in a
        // PIE), so dropping them loses nothing: they refill from the file. MADV_PAGEOUT never
        // discards contents (written pages are skipped or swapped, not dropped).
        #[expect(unsafe_code, reason = "madvise has no safe wrapper in std")]
        let done = unsafe { libc::madvise(m.start as *mut libc::c_void, m.end - m.start, advice) };
        if done != 0 {
            return Err(std::io::Error::last_os_error());
        }
        advised += m.end - m.start;
    }
    Ok(advised)
}

/// A mapping of the executable without write access.
#[derive(Debug, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    executable: bool,
}

/// The mapping a `/proc/self/maps` line describes, if it maps `exe` without write access.
fn read_only_mapping_of(line: &str, exe: &str) -> Option<Mapping> {
    // start-end perms offset dev inode path
    let mut fields = line.splitn(6, ' ');
    let range = fields.next()?.as_bytes();
    let perms = fields.next()?.as_bytes();
    let path = fields.nth(3)?.trim_start();
    if path != exe || perms.len() < 3 || perms[1] != b'-' {
        return None;
    }
    let (start, end) = std::str::from_utf8(range).ok()?.split_once('-')?;
    Some(Mapping {
        start: usize::from_str_radix(start, 16).ok()?,
        end: usize::from_str_radix(end, 16).ok()?,
        executable: perms[2] == b'x',
    })
}

thread_local! {
    static LAST_COLLECT: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// For the runtime's `on_thread_park`: mimalloc keeps the pages a thread freed in that
/// thread's heap until the thread allocates again, so a worker that goes idle after a burst
/// would keep them. At most once a second per thread, a parking worker releases what is due.
pub fn collect_when_parked() {
    let now = Instant::now();
    let due = LAST_COLLECT.with(|last| {
        let due = last.get().is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
        if due {
            last.set(Some(now));
        }
        due
    });
    if due {
        collect_freed();
    }
}

/// Releases this thread's freed heap pages that are due, and abandoned ones.
pub fn collect_freed() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // in a process whose allocator is not mimalloc it tidies an unused heap.
    #[expect(unsafe_code, reason = "FFI into the allocator; no safe wrapper exists")]
    unsafe {
        libmimalloc_sys::mi_collect(false)
    };
}

#[cfg(test)]
mod tests {
    use super::{Mapping, read_only_mapping_of};

    #[test]
    fn only_read_only_mappings_of_the_executable_are_chosen() {
        let exe = "/usr/local/bin/helium";
        let code = "55d0c0a00000-55d0c2400000 r-xp 00200000 fd:01 123 /usr/local/bin/helium";
        let want = Mapping { start: 0x55d0c0a00000, end: 0x55d0c2400000, executable: true };
        assert_eq!(read_only_mapping_of(code, exe), Some(want));
        let spaced = "55d0c0a00000-55d0c2400000 r--p 00000000 fd:01 123                        /usr/local/bin/helium";
        let want = Mapping { start: 0x55d0c0a00000, end: 0x55d0c2400000, executable: false };
        assert_eq!(read_only_mapping_of(spaced, exe), Some(want));
        let data = "55d0c2400000-55d0c2500000 rw-p 01c00000 fd:01 123 /usr/local/bin/helium";
        assert_eq!(read_only_mapping_of(data, exe), None);
        let libc = "7f00a0000000-7f00a0100000 r-xp 00000000 fd:01 9 /usr/lib/x86_64-linux-gnu/libc.so.6";
        assert_eq!(read_only_mapping_of(libc, exe), None);
        let anon = "7f00a0000000-7f00a0100000 rw-p 00000000 00:00 0 ";
        assert_eq!(read_only_mapping_of(anon, exe), None);
    }
}
