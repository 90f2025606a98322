//! Shared application state, keyed by type.
//!
//! A type map rather than a generic `Mocket<S>`: the app type stays the same
//! whatever the state, so backends and groups need no type parameter, and an
//! app can hold several independent pieces (a pool, a config, a cache).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use crate::maybe_send::{MaybeSend, MaybeSync};

trait StateValue: MaybeSend + MaybeSync {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + MaybeSend + MaybeSync> StateValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Default)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Box<dyn StateValue>>,
}

impl StateMap {
    pub(crate) fn insert<T: MaybeSend + MaybeSync + 'static>(&mut self, value: T) {
        self.values
            .insert(TypeId::of::<T>(), Box::new(Arc::new(value)));
    }

    pub(crate) fn get<T: MaybeSend + MaybeSync + 'static>(&self) -> Option<Arc<T>> {
        let value = self.values.get(&TypeId::of::<T>())?;
        // `**`: the `Box` itself is `Any` too; ask the value inside.
        (**value).as_any().downcast_ref::<Arc<T>>().cloned()
    }
}
