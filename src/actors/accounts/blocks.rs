//! Blocking: the list a user keeps, and keeping every instance's
//! [`BlockBook`](crate::actors::block_book::BlockBook) in step with it.

use actix::{Handler, Message};

use super::AccountsActor;
use crate::actors::bus::Event;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::{blocks, now, users, DbConn};
use crate::domain::{User, UserId};

#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct Block {
    pub blocker: UserId,
    pub blocked: UserId,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct Unblock {
    pub blocker: UserId,
    pub blocked: UserId,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<User>>")]
pub struct ListBlocks {
    pub blocker: UserId,
}

impl AccountsActor {
    /// Reloads `blocker`'s list into the book here and on other instances.
    fn publish_blocks(&self, conn: &mut DbConn, blocker: UserId) -> ServiceResult<()> {
        let blocked = blocks::blocked_by(conn, blocker)?;
        self.bus.publish(Event::Blocks {
            user_id: blocker,
            blocked: blocked.iter().copied().collect(),
        });
        self.book.set(blocker, blocked);
        Ok(())
    }
}

impl Handler<Block> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: Block, _: &mut Self::Context) -> Self::Result {
        if msg.blocker == msg.blocked {
            return Err(ServiceError::Invalid(
                "user_id",
                "you cannot block yourself",
            ));
        }
        let mut conn = self.conn()?;
        if users::find(&mut conn, msg.blocked)?.is_none() {
            return Err(ServiceError::NotFound("no such user"));
        }
        blocks::block(&mut conn, msg.blocker, msg.blocked, now())?;
        self.publish_blocks(&mut conn, msg.blocker)
    }
}

impl Handler<Unblock> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: Unblock, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        blocks::unblock(&mut conn, msg.blocker, msg.blocked)?;
        self.publish_blocks(&mut conn, msg.blocker)
    }
}

impl Handler<ListBlocks> for AccountsActor {
    type Result = ServiceResult<Vec<User>>;

    fn handle(&mut self, msg: ListBlocks, _: &mut Self::Context) -> Self::Result {
        let rows = blocks::list(&mut *self.conn()?, msg.blocker)?;
        Ok(rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?)
    }
}
