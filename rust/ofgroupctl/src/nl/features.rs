//! Table features.

use ofgroup_abi::{cmd, features_attr as fa, wire};

use crate::format::Features;

use super::client::Client;
use super::enc::w_u32;
use super::Failure;

pub(super) fn decode_features(attrs: wire::Attrs<'_>) -> Result<Features, Failure> {
    let mut f = Features::default();
    for a in attrs {
        match a.kind {
            fa::TYPES => f.types = w_u32(&a)?,
            fa::CAPABILITIES => f.capabilities = w_u32(&a)?,
            fa::MAX_GROUPS => f.max_groups.push(w_u32(&a)?),
            fa::MAX_BUCKETS => f.max_buckets = w_u32(&a)?,
            fa::ACTIONS => f.actions = w_u32(&a)?,
            fa::MAX_ACTIONS => f.max_actions = w_u32(&a)?,
            fa::WORK_BUDGET => f.work_budget = w_u32(&a)?,
            _ => {}
        }
    }
    Ok(f)
}

impl Client {
    /// Table features.
    pub fn features(&self) -> Result<Features, Failure> {
        let mut f = None;
        self.request_each(
            cmd::FEATURES_GET,
            false,
            |_| {},
            |attrs| {
                f = Some(decode_features(attrs)?);
                Ok(())
            },
        )?;
        f.ok_or_else(|| Failure::Other("no features reply".into()))
    }
}
