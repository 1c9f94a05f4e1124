//! `GET /api/v1/ws`: the WebSocket upgrade. A token in the query is checked
//! before upgrading (401 if bad); otherwise the session waits for an `auth` frame.
//!
//! This handler decides, like any other: it answers 101 with an [`Accepted`]
//! in the response, and the upgrade service (`http::upgrade`), which
//! brought the request here, writes the 101 and starts the session on the
//! raw socket. Any other answer goes to the client as it is.

use std::sync::Arc;

use actix_web::web::BytesMut;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::client::client_ip;
use super::error::ApiError;
use super::state::AppState;
use crate::actors::caps::WsSlots;
use crate::actors::outbox::OutboxBody;
use crate::actors::socket::Socket;
use crate::actors::ws_session::{Opening, WsSession};
use crate::actors::Services;

/// Frames (after reassembling continuations) above this close the socket with 1009.
pub const MAX_FRAME: usize = 64 * 1024;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// Or authenticate with a first `auth` frame within 10 s.
    access_token: Option<String>,
}

/// Put in a request by the upgrade service: the connection can be handed over.
#[derive(Clone, Copy)]
pub struct Upgradable;

/// In a 101 response: what the session needs once the 101 is written.
pub struct Accepted {
    svc: Arc<Services>,
    opening: Opening,
}

impl Accepted {
    /// Starts the session on the upgraded socket; returns what it sends.
    pub fn start(self, socket: Socket, leftover: BytesMut) -> OutboxBody {
        WsSession::start(self.svc, (socket, leftover), MAX_FRAME, self.opening)
    }
}

/// The frames are described in `docs/API.md`, not here.
#[utoipa::path(get, path = "/api/v1/ws", params(WsQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 400),
        (status = 401), (status = 429)))]
pub async fn upgrade(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<WsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut slots = WsSlots::default();
    // The client's address as every per-address limit sees it: behind a
    // trusted proxy, the one it forwarded, not the proxy's own.
    if let Some(client) = client_ip(&req, &state.settings) {
        slots.address = Some(
            state
                .svc
                .ws_caps
                .addresses
                .take(client)
                .ok_or_else(|| too_many("too many WebSockets from this address"))?,
        );
    }
    let pre_auth = match &query.access_token {
        Some(token) => {
            let (access, claims) = state.svc.authenticate(token).await?;
            slots.user = Some(
                state
                    .svc
                    .ws_caps
                    .users
                    .take(access.user_id)
                    .ok_or_else(|| too_many("too many WebSockets for this user"))?,
            );
            Some((access, claims.exp))
        }
        None => None,
    };
    // Without the upgrade service (no `Upgrade: websocket` header) there is
    // no socket to take over.
    if req.extensions().get::<Upgradable>().is_none() {
        return Err(ApiError::bad_request("not a WebSocket upgrade"));
    }
    let mut response = actix_http::ws::handshake(req.head())
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket upgrade: {e}")))?;
    let accepted = Accepted {
        svc: state.svc.clone(),
        opening: Opening { pre_auth, slots },
    };
    let mut response = HttpResponse::from(response.finish().map_into_boxed_body());
    response.extensions_mut().insert(accepted);
    Ok(response)
}

/// 429: a cap on open sockets; one closing frees a place.
fn too_many(message: &str) -> ApiError {
    let mut error = ApiError::rate_limited(5);
    error.message = message.to_owned();
    error
}
