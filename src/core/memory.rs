//! Giving freed memory back to the system.
//!
//! glibc's allocator keeps what a program frees for its next allocations: after the journal's
//! 10,000 entries or a reset tenant's users are dropped, the process's RSS stays where the peak
//! left it (measured: 633 MiB after 10,000 journaled 60 KB requests, still 633 MiB after
//! `DELETE /__authmock__/journal`). [`give_back`] asks glibc to return the free pages of every
//! arena (`malloc_trim(0)`); the control API calls it after it clears the journal, resets a
//! tenant or drops a runtime tenant, never on the request path. Elsewhere (musl, macOS) it does
//! nothing. Depends on nothing else in the crate.

/// The size from which glibc maps an allocation on its own (its default start, 128 KiB).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAP_FROM: i32 = 128 * 1024;

/// Large buffers (a 33 MB `GET /__authmock__/tenant` answer, a fixture's text) get pages of
/// their own, returned as soon as they are freed. glibc starts so but raises the size each
/// time such a buffer is freed, up to 32 MiB, after which buffers of a few MiB come from the
/// heap and their pages stay with the process (measured: 16 MiB kept after one summary of
/// 100,000 users). `serve` calls this once at start; elsewhere (musl, macOS) it does nothing.
pub fn map_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes a tuning parameter of glibc's allocator; it takes no
    // pointer and may be called at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM);
    }
}

/// Returns the allocator's free memory to the system, where that is possible (glibc).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of glibc's own heaps; it takes no pointer
    // and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
