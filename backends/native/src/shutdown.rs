//! Waiting for the signals that stop a server.

use std::io;

/// Handlers for SIGINT and SIGTERM, installed before the server starts so
/// that a signal arriving early still stops it gracefully.
pub(crate) struct Signals {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn install() -> io::Result<Signals> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (term, int) = rt.block_on(async {
                Ok::<_, io::Error>((
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::interrupt())?,
                ))
            })?;
            Ok(Signals { rt, term, int })
        }
        #[cfg(not(unix))]
        Ok(Signals { rt })
    }

    /// Blocks until one of the signals arrives.
    pub(crate) fn wait(self) -> io::Result<()> {
        #[cfg(unix)]
        {
            let Signals {
                rt,
                mut term,
                mut int,
            } = self;
            rt.block_on(async {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            });
            Ok(())
        }
        #[cfg(not(unix))]
        self.rt.block_on(tokio::signal::ctrl_c())
    }
}
