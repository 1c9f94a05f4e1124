//! A deadline on reading a request body, so a client sending a byte every
//! few seconds cannot hold a connection (and a worker's attention) for as
//! long as it likes. Headers have their own deadline in actix.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use std::future::Future;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;
use tokio::time::{sleep, Sleep};

/// Paths whose bodies are not bounded by the deadline: the WebSocket (its
/// "body" is the client's frames for as long as the socket lives) and
/// uploads (up to 25 MiB over whatever link the user has).
fn exempt(path: &str) -> bool {
    path == "/api/v1/ws" || path.starts_with("/api/v1/uploads")
}

/// Replaces the request's payload with one that fails after `limit`.
pub fn apply(req: &mut ServiceRequest, limit: Duration) {
    if exempt(req.path()) {
        return;
    }
    let inner = req.take_payload();
    let bounded = Deadline {
        inner,
        timer: Box::pin(sleep(limit)),
    };
    req.set_payload(Payload::from(
        Box::pin(bounded) as Pin<Box<dyn Stream<Item = _>>>
    ));
}

struct Deadline {
    inner: Payload,
    timer: Pin<Box<Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request body not received in time",
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}
