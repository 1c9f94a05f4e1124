//! `GET /api/v1/ws`: the WebSocket upgrade. A token in the query is checked
//! before upgrading (401 if bad); otherwise the session waits for an `auth` frame.

use actix_http::body::MessageBody;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::ApiError;
use super::state::AppState;
use crate::actors::caps::WsSlots;
use crate::actors::outbox::ConnGuard;
use crate::actors::ws_session::{Opening, WsSession};

/// Frames (after reassembling continuations) above this close the socket with 1009.
pub const MAX_FRAME: usize = 64 * 1024;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// Or authenticate with a first `auth` frame within 10 s.
    access_token: Option<String>,
}

/// The frames are described in `docs/API.md`, not here.
#[utoipa::path(get, path = "/api/v1/ws", params(WsQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 400),
        (status = 401), (status = 429)))]
pub async fn upgrade(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
    query: web::Query<WsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut slots = WsSlots::default();
    if let Some(peer) = req.peer_addr() {
        slots.address = Some(
            state
                .svc
                .ws_caps
                .addresses
                .take(peer.ip())
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
    // actix-ws decodes what the client sends; what we send goes through our
    // own body (`OutboxBody`), so actix-ws's sending half is left unused.
    let (_, _, stream) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket upgrade: {e}")))?;
    let mut response = actix_http::ws::handshake(req.head())
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket upgrade: {e}")))?;
    let stream = stream
        .max_frame_size(MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME);
    let opening = Opening {
        pre_auth,
        conn: req.conn_data::<ConnGuard>().map(ConnGuard::socket),
        slots,
    };
    let body = WsSession::start(state.svc.clone(), stream, opening);
    let response = response
        .message_body(body.boxed())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(response.into())
}

/// 429: a cap on open sockets; one closing frees a place.
fn too_many(message: &str) -> ApiError {
    let mut error = ApiError::rate_limited(5);
    error.message = message.to_owned();
    error
}
