// SPDX-License-Identifier: GPL-2.0

//! Running closures on parallel kthreads (used by the concurrency KUnit cases).

use core::ffi::{c_int, c_void};
use kernel::prelude::*;

use super::raw;

/// Run every job on its own kernel thread at the same time and return when all have finished.
/// Process context. A job whose thread cannot be created runs inline instead.
pub(crate) fn run_threads(jobs: &[&(dyn Fn() + Sync)]) -> Result {
    extern "C" fn trampoline(arg: *mut c_void) -> c_int {
        // SAFETY: `arg` points at an element of `jobs`, which outlives every thread because
        // `ofg_run_threads` waits for all of them before `run_threads` returns.
        let job = unsafe { &*arg.cast::<&(dyn Fn() + Sync)>() };
        job();
        0
    }
    let mut args = KVec::with_capacity(jobs.len(), GFP_KERNEL)?;
    for j in jobs {
        args.push(
            core::ptr::from_ref(j).cast_mut().cast::<c_void>(),
            GFP_KERNEL,
        )?;
    }
    let n = u32::try_from(args.len()).map_err(|_| EINVAL)?;
    // SAFETY: `args` holds `n` valid pointers to `&dyn Fn() + Sync` values borrowed for the
    // duration of this call; the jobs are `Sync`, so calling them from several threads at once is
    // sound; `ofg_run_threads` returns only after every thread finished.
    let rc = unsafe { raw::ofg_run_threads(Some(trampoline), args.as_mut_ptr(), n) };
    if rc < 0 {
        return Err(Error::from_errno(rc));
    }
    Ok(())
}
