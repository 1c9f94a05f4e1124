//! The upgrade service. actix-http hands it every request that asks for a
//! WebSocket (`Upgrade: websocket`), with the connection. The request is
//! answered by the same application as any other (routes, middleware,
//! logging, metrics, every check of `ws::upgrade`); when the answer is the
//! 101 of an accepted WebSocket, the 101 is written, the raw socket taken
//! out of the HTTP layer and its 8 KiB buffers freed, and the session runs
//! on the socket itself (see `actors::socket`). Any other answer is written
//! as it is, and the connection closed.

use std::future::poll_fn;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_codec::Framed;
use actix_http::body::{BodySize, BoxBody, MessageBody};
use actix_http::h1::{Codec, Message};
use actix_http::{ConnectionType, Request, Response, StatusCode};
use actix_service::{fn_factory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, ServiceResponse};
use actix_web::rt::net::TcpStream;
use actix_web::web::BytesMut;
use actix_web::HttpMessage;
use futures_util::future::LocalBoxFuture;
use futures_util::SinkExt;

use super::ws::{Accepted, Upgradable};
use crate::actors::socket;

/// A connection handed over by the HTTP/1 dispatcher with its request.
pub type Handover = (Request, Framed<TcpStream, Codec>);

/// Makes one upgrade service per worker around `app`, an application
/// factory (an `App::into_factory()` result, as the HTTP service has).
pub fn factory<A, S, B>(
    app: impl Fn() -> A + Clone + 'static,
) -> impl ServiceFactory<Handover, Config = (), Response = (), Error = actix_http::Error, InitError = ()>
where
    A: ServiceFactory<Request, Config = AppConfig, Service = S, InitError = ()>,
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    fn_factory(move || {
        let app = app();
        async move {
            let app = app.new_service(AppConfig::default()).await?;
            Ok(Upgrade { app: Rc::new(app) })
        }
    })
}

pub struct Upgrade<S> {
    app: Rc<S>,
}

impl<S, B> Service<Handover> for Upgrade<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ();
    type Error = actix_http::Error;
    type Future = LocalBoxFuture<'static, Result<(), actix_http::Error>>;

    actix_service::always_ready!();

    fn call(&self, (req, framed): Handover) -> Self::Future {
        let app = self.app.clone();
        Box::pin(async move {
            // The handshake (the application's future, the HTTP framing)
            // runs in a box of its own, freed before the WebSocket runs: the
            // connection then holds only what the write loop needs (this
            // future lives as long as the socket; inline, the handshake's
            // state made it ~1.5 KiB).
            match Box::pin(handshake(&*app, req, framed)).await {
                Ok(Some((socket, leftover, accepted))) => {
                    let body = accepted.start(socket.clone(), leftover);
                    socket::write_body(&socket, body).await;
                }
                Ok(None) => {}
                // A client gone mid-answer is no server error (actix-http would log it as one).
                Err(e) => log::debug!("upgrade connection ended: {e}"),
            }
            Ok(())
        })
    }
}

/// Answers the upgrade request. An accepted WebSocket's 101 is written and
/// its socket returned; any other answer is written and the connection closed.
async fn handshake<S, B>(
    app: &S,
    req: Request,
    framed: Framed<TcpStream, Codec>,
) -> io::Result<Option<(socket::Socket, BytesMut, Accepted)>>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    req.extensions_mut().insert(Upgradable);
    let res: Response<BoxBody> = match app.call(req).await {
        Ok(res) => res.map_into_boxed_body().into(),
        Err(e) => e.error_response().into(),
    };
    let (mut head, body) = res.into_parts();
    let accepted = head.extensions_mut().remove::<Accepted>();
    match accepted {
        Some(accepted) if head.status() == StatusCode::SWITCHING_PROTOCOLS => {
            let (socket, leftover) = switch(framed, head).await?;
            Ok(Some((socket, leftover, accepted)))
        }
        _ => answer(framed, head, body).await.map(|()| None),
    }
}

/// Writes the 101 and takes the socket out, with what the client sent
/// after its request; the HTTP layer's buffers are dropped here.
async fn switch(
    mut framed: Framed<TcpStream, Codec>,
    head: Response<()>,
) -> io::Result<(socket::Socket, BytesMut)> {
    framed.send(Message::Item((head, BodySize::Stream))).await?;
    let parts = framed.into_parts();
    let leftover = match parts.read_buf.is_empty() {
        true => BytesMut::new(),
        false => BytesMut::from(&parts.read_buf[..]),
    };
    Ok((Arc::new(parts.io), leftover))
}

/// Writes a response that is not a WebSocket's 101 (a refusal, or the
/// answer to a route that is not a WebSocket), then closes the connection.
async fn answer(
    mut framed: Framed<TcpStream, Codec>,
    mut head: Response<()>,
    body: BoxBody,
) -> io::Result<()> {
    head.head_mut().set_connection_type(ConnectionType::Close);
    framed.feed(Message::Item((head, body.size()))).await?;
    let mut body = pin!(body);
    while let Some(chunk) = poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let chunk = chunk.map_err(|e| io::Error::other(e.to_string()))?;
        framed.feed(Message::Chunk(Some(chunk))).await?;
    }
    // `Framed::close` shuts the socket down without writing what is
    // buffered (actix-codec 0.5): flush first.
    framed.send(Message::Chunk(None)).await?;
    framed.close().await
}
