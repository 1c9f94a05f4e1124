//! Profile changes a user makes on itself.

use actix::{Handler, Message};

use super::AccountsActor;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::users;
use crate::domain::{DisplayName, User, UserId};

/// `PATCH /users/me`: each `Some` sets a field, `Some(None)` clears it.
#[derive(Message)]
#[rtype(result = "ServiceResult<User>")]
pub struct SetProfile {
    pub id: UserId,
    pub display_name: Option<Option<DisplayName>>,
    /// The avatar upload already made (cropped) by the files side.
    pub avatar_upload_id: Option<Option<i64>>,
}

impl Handler<SetProfile> for AccountsActor {
    type Result = ServiceResult<User>;

    fn handle(&mut self, msg: SetProfile, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let name = msg
            .display_name
            .as_ref()
            .map(|n| n.as_ref().map(DisplayName::as_str));
        let row = crate::db::write_transaction(&mut conn, |conn| {
            users::set_profile(conn, msg.id, name, msg.avatar_upload_id)
        })?
        .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
        Ok(User::try_from(row)?)
    }
}
