//! Many boards: a station that provisions every board on the ports it is given, with AWS
//! IoT as the engine. Each board is the one operation ([`crate::job`]) with its own
//! identity: its MAC read first, a thing and a certificate made for it, the journal
//! written at every step so that a cut run resumes with each board done exactly once.
//! `manifest` says which thing each board becomes, `journal` keeps the steps, `report`
//! writes what happened, `station` runs it, `ports` says where the boards are and
//! `progress` follows a run as its operator sees it.

pub mod claim;
pub mod journal;
pub mod manifest;
mod ports;
pub mod progress;
pub mod report;
mod station;
mod verify;

pub use ports::PortSource;
pub use progress::{Counts, Progress};
pub use station::{BoardEvent, FleetError, FleetKey, Outcome, Plan, Watch, run, watch};
pub use verify::{Drift, verify};
