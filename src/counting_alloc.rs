//! The binary's global allocator: the system's, counting the bytes allocated for the
//! memory budget (read through `limits::set_heap_probe`). It sets no limit of its own,
//! so an allocation never aborts the process before a statement's check can fail it
//! cleanly.
//!
//! Each thread adds up its own allocations and publishes them to the shared count in
//! steps of [`PUBLISH_EVERY`] bytes. Two scan threads bumping one shared counter on every
//! allocation spent a third of their time passing its cache line back and forth; the
//! count read is off by at most that step per thread, which a budget in megabytes does
//! not notice.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

pub struct CountingAllocator;

/// Bytes allocated and not freed, as published by every thread.
static PUBLISHED: AtomicIsize = AtomicIsize::new(0);

/// How far a thread's own count may drift before it is published.
const PUBLISH_EVERY: isize = 256 << 10;

thread_local! {
    // A constant initializer and no destructor: reading it never allocates.
    static UNPUBLISHED: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    let published_here = UNPUBLISHED.try_with(|local| {
        let pending = local.get() + bytes;
        if pending.abs() >= PUBLISH_EVERY {
            PUBLISHED.fetch_add(pending, Ordering::Relaxed);
            local.set(0);
        } else {
            local.set(pending);
        }
    });
    if published_here.is_err() {
        PUBLISHED.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Where [`allocated`] counts from. A thread that ends takes its unpublished count with
/// it, so the count drifts by up to [`PUBLISH_EVERY`] per thread ever ended, either way;
/// counting from far above zero keeps a drift below zero from being cut off, which would
/// hide real growth from the budget. Only differences between readings are used.
const ORIGIN: isize = 1 << 50;

/// The bytes allocated now plus a constant, give or take [`PUBLISH_EVERY`] per thread:
/// the difference between two readings is what was allocated in between.
pub fn allocated() -> usize {
    (ORIGIN + PUBLISHED.load(Ordering::Relaxed)).max(0) as usize
}

// SAFETY: every call is passed to `System` unchanged; counting touches no allocation.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are `System`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` is the caller's to guarantee.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        new
    }
}
