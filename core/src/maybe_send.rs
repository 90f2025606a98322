//! `Send`/`Sync` bounds that exist only where threads do.
//!
//! The native backend shares one app between worker threads, so handlers must
//! be `Send + Sync` there. On wasm targets there is one thread, and handlers
//! often hold JavaScript values that are neither; requiring the bounds there
//! would forbid them for nothing.

/// Declares `$name`: `$bound` on native targets, no bound on wasm, with a
/// blanket impl either way.
macro_rules! maybe_bound {
    ($(#[$doc:meta])* $name:ident: $bound:ident) => {
        $(#[$doc])*
        #[cfg(not(target_family = "wasm"))]
        pub trait $name: $bound {}
        #[cfg(not(target_family = "wasm"))]
        impl<T: $bound + ?Sized> $name for T {}

        $(#[$doc])*
        #[cfg(target_family = "wasm")]
        pub trait $name {}
        #[cfg(target_family = "wasm")]
        impl<T: ?Sized> $name for T {}
    };
}

maybe_bound! {
    /// `Send` on native targets, no bound on wasm.
    MaybeSend: Send
}

maybe_bound! {
    /// `Sync` on native targets, no bound on wasm.
    MaybeSync: Sync
}
