//! The one way the window runs something in the background: a named thread that owns its
//! work, sends what it has to say over a channel, and wakes the window with each message
//! (`request_repaint`), so the UI never waits on I/O and does not repaint while idle.

use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui;

/// The sending end a job is given: every message wakes the window.
pub(super) struct Outbox<M> {
    tx: Sender<M>,
    ctx: egui::Context,
}

impl<M> Clone for Outbox<M> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        }
    }
}

impl<M> Outbox<M> {
    /// Send; false once the window stopped listening (the job may end early).
    pub(super) fn send(&self, msg: M) -> bool {
        let sent = self.tx.send(msg).is_ok();
        self.ctx.request_repaint();
        sent
    }
}

/// A job running on its thread, as the window holds it.
pub(super) struct Worker<M> {
    rx: Receiver<M>,
}

impl<M: Send + 'static> Worker<M> {
    /// Start `job` on a thread called `name`; `Err` says why no thread could be made.
    pub(super) fn spawn(
        name: &str,
        ctx: &egui::Context,
        job: impl FnOnce(Outbox<M>) + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx) = channel();
        let outbox = Outbox {
            tx,
            ctx: ctx.clone(),
        };
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || job(outbox))
            .map_err(|e| format!("cannot start the {name} thread: {e}"))?;
        Ok(Self { rx })
    }

    /// Everything sent since the last call.
    pub(super) fn drain(&mut self) -> Vec<M> {
        self.rx.try_iter().collect()
    }
}
