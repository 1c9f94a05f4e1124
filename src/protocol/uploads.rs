//! The contract's upload object (`POST /uploads`) and the attachment a
//! message carries (the upload plus signed URLs).

use serde::Serialize;

use crate::domain::StoredUpload;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Upload {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
}

impl From<&StoredUpload> for Upload {
    fn from(u: &StoredUpload) -> Upload {
        Upload {
            id: u.id,
            name: u.name.clone(),
            content_type: u.content_type.clone(),
            size: u.size,
            width: u.width,
            height: u.height,
            duration_ms: u.duration_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    #[serde(flatten)]
    pub upload: Upload,
    pub url: String,
    pub thumbnail_url: Option<String>,
}
