//! Topics: sockets subscribe, anyone holding a [`Publisher`] publishes.
//!
//! One hub per app, shared by every worker thread natively, so a room is
//! never split between threads. A publication is encoded as a frame once
//! and the same buffer is queued for every subscriber (each socket that
//! agreed permessage-deflate compresses its own copy). Each socket has a
//! bounded inbox: publishing never waits for a socket, and a socket whose
//! inbox is full — a client that reads slower than the room talks — is
//! dropped with close code 1008 instead of growing memory or slowing the
//! others.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::task::Waker;

use bytes::Bytes;

use super::message::Message;
use super::write;

/// A message published to a topic, shared by all its subscribers.
pub(crate) struct Publication {
    pub(crate) message: Message,
    frame: OnceLock<Bytes>,
}

impl Publication {
    /// The message as an uncompressed frame, encoded by the first socket
    /// that needs it.
    pub(crate) fn frame(&self) -> &Bytes {
        self.frame.get_or_init(|| write::encode(&self.message))
    }
}

/// How much a socket's inbox may hold before the socket is dropped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backlog {
    pub(crate) messages: usize,
    pub(crate) bytes: usize,
}

/// A socket's queue of publications not yet written.
pub(crate) struct Inbox {
    queue: Mutex<Queue>,
    limit: Backlog,
}

#[derive(Default)]
struct Queue {
    items: VecDeque<Arc<Publication>>,
    bytes: usize,
    overflowed: bool,
    waker: Option<Waker>,
}

/// What a socket finds in its inbox.
pub(crate) enum Delivery {
    Items(VecDeque<Arc<Publication>>),
    Overflowed,
}

impl Inbox {
    pub(crate) fn new(limit: Backlog) -> Inbox {
        Inbox {
            queue: Mutex::default(),
            limit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a publication; false once the inbox has overflowed.
    fn offer(&self, publication: &Arc<Publication>) -> bool {
        let size = publication.message.as_bytes().len();
        let waker = {
            let mut queue = self.lock();
            if queue.overflowed {
                return false;
            }
            if queue.items.len() >= self.limit.messages || queue.bytes + size > self.limit.bytes {
                // Free the backlog now; the socket closes when it next runs.
                queue.overflowed = true;
                queue.items = VecDeque::new();
                queue.bytes = 0;
            } else {
                queue.items.push_back(publication.clone());
                queue.bytes += size;
            }
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Takes what is queued (if `room`: the socket has room for it) and
    /// registers `waker` for the next publication.
    pub(crate) fn take(&self, waker: &Waker, room: bool) -> Option<Delivery> {
        let mut queue = self.lock();
        if queue.overflowed {
            return Some(Delivery::Overflowed);
        }
        // Registered every time: what is published next must wake the
        // socket whether or not this call found anything.
        match &queue.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => queue.waker = Some(waker.clone()),
        }
        if !room || queue.items.is_empty() {
            return None;
        }
        queue.bytes = 0;
        Some(Delivery::Items(std::mem::take(&mut queue.items)))
    }
}

/// The topics of one app.
#[derive(Default)]
pub(crate) struct Hub {
    topics: RwLock<HashMap<Box<str>, Subscribers>>,
}

/// One topic's inboxes: a `Vec` to publish to, and each inbox's place in
/// it, so that joining and leaving a room of any size cost O(1).
#[derive(Default)]
struct Subscribers {
    inboxes: Vec<Arc<Inbox>>,
    /// By the inbox's address, stable while `inboxes` holds it.
    at: HashMap<usize, usize>,
}

fn key(inbox: &Arc<Inbox>) -> usize {
    Arc::as_ptr(inbox) as usize
}

impl Subscribers {
    fn insert(&mut self, inbox: &Arc<Inbox>) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.at.entry(key(inbox)) {
            e.insert(self.inboxes.len());
            self.inboxes.push(inbox.clone());
        }
    }

    fn remove(&mut self, inbox: &Arc<Inbox>) {
        let Some(at) = self.at.remove(&key(inbox)) else {
            return;
        };
        self.inboxes.swap_remove(at);
        if let Some(moved) = self.inboxes.get(at) {
            self.at.insert(key(moved), at);
        }
    }
}

impl Hub {
    pub(crate) fn subscribe(&self, topic: &str, inbox: &Arc<Inbox>) {
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        topics.entry(topic.into()).or_default().insert(inbox);
    }

    pub(crate) fn unsubscribe(&self, topic: &str, inbox: &Arc<Inbox>) {
        let mut topics = self.topics.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(subscribers) = topics.get_mut(topic) {
            subscribers.remove(inbox);
            if subscribers.inboxes.is_empty() {
                topics.remove(topic);
            }
        }
    }
}

/// Publishes messages to the sockets subscribed to a topic, from anywhere:
/// a socket's task, an HTTP handler, a background task. Cheap to clone;
/// every clone reaches the same sockets (those of one app, on every
/// worker thread).
///
/// ```
/// let app = mocket_core::Mocket::new();
/// let publisher = app.publisher();
/// // No one is subscribed yet.
/// assert_eq!(publisher.publish("news", "hello"), 0);
/// assert_eq!(publisher.subscribers("news"), 0);
/// ```
#[derive(Clone, Default)]
pub struct Publisher {
    pub(crate) hub: Arc<Hub>,
}

impl Publisher {
    /// Sends `message` to every socket subscribed to `topic` (the sender
    /// too, if it is subscribed); returns how many it was queued for. Never
    /// waits: a subscriber whose backlog is full is dropped (close code
    /// 1008) instead.
    ///
    /// ```
    /// let publisher = mocket_core::Mocket::new().publisher();
    /// assert_eq!(publisher.publish("room", "hi"), 0);
    /// ```
    pub fn publish(&self, topic: &str, message: impl Into<Message>) -> usize {
        let topics = self
            .hub
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(subscribers) = topics.get(topic) else {
            return 0;
        };
        let publication = Arc::new(Publication {
            message: message.into(),
            frame: OnceLock::new(),
        });
        subscribers
            .inboxes
            .iter()
            .filter(|inbox| inbox.offer(&publication))
            .count()
    }

    /// How many sockets are subscribed to `topic`.
    ///
    /// ```
    /// assert_eq!(mocket_core::Mocket::new().publisher().subscribers("room"), 0);
    /// ```
    pub fn subscribers(&self, topic: &str) -> usize {
        let topics = self
            .hub
            .topics
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        topics.get(topic).map_or(0, |s| s.inboxes.len())
    }
}

impl fmt::Debug for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox() -> Arc<Inbox> {
        Arc::new(Inbox::new(Backlog {
            messages: 4,
            bytes: 1024,
        }))
    }

    /// Every inbox is in the list once, at the place `at` says.
    fn consistent(s: &Subscribers) {
        assert_eq!(s.inboxes.len(), s.at.len());
        for (i, inbox) in s.inboxes.iter().enumerate() {
            assert_eq!(s.at[&key(inbox)], i);
        }
    }

    #[test]
    fn joining_twice_counts_once_and_leaving_keeps_the_others_in_place() {
        let all: Vec<_> = (0..50).map(|_| inbox()).collect();
        let mut s = Subscribers::default();
        for inbox in all.iter().chain(&all) {
            s.insert(inbox);
        }
        assert_eq!(s.inboxes.len(), 50);
        consistent(&s);
        // Leave from the front, the back, the middle; twice is harmless.
        for i in [0, 49, 25, 25, 3, 48, 1] {
            s.remove(&all[i]);
            consistent(&s);
        }
        assert_eq!(s.inboxes.len(), 44);
        let left: Vec<usize> = [0, 1, 3, 25, 48, 49].into();
        for (i, inbox) in all.iter().enumerate() {
            let present = s.inboxes.iter().any(|x| Arc::ptr_eq(x, inbox));
            assert_eq!(present, !left.contains(&i), "inbox {i}");
        }
    }

    #[test]
    fn an_emptied_topic_is_forgotten() {
        let hub = Hub::default();
        let (a, b) = (inbox(), inbox());
        hub.subscribe("room", &a);
        hub.subscribe("room", &b);
        hub.unsubscribe("room", &a);
        assert_eq!(hub.topics.read().unwrap()["room"].inboxes.len(), 1);
        hub.unsubscribe("room", &b);
        assert!(hub.topics.read().unwrap().is_empty());
    }
}
