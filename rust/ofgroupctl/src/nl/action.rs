//! The `action` nest, shared by buckets and flows.

use ofgroup_abi::{action_attr as aa, wire};
use ofgroup_logic::model::Action;

use super::enc::{w_u32, Enc};
use super::Failure;

/// One action, as the nest `kind` (a bucket's or a flow's action).
pub(super) fn put_action(m: &mut Enc<'_>, kind: u16, a: &Action) {
    m.nest(kind, |m| match *a {
        Action::Output(p) => m.u32(aa::OUTPUT, p),
        Action::Group(g) => m.u32(aa::GROUP, g),
    });
}

/// An action nest (a bucket's or a flow's), appended to `out`.
pub(super) fn decode_action(a: &wire::Attr<'_>, out: &mut Vec<Action>) -> Result<(), Failure> {
    for y in a.nested() {
        match y.kind {
            aa::OUTPUT => out.push(Action::Output(w_u32(&y)?)),
            aa::GROUP => out.push(Action::Group(w_u32(&y)?)),
            _ => {}
        }
    }
    Ok(())
}
