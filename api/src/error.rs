//! The one error type of the API and its JSON body.

use axum::{
    extract::rejection::{PathRejection, QueryRejection},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error the API answers with. It renders as `{"error": {"code", "message"}}` with the
/// status of [`ApiError::status_code`]; internal errors carry their cause only to the log.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query or path parameter is malformed or out of range.
    #[error("{0}")]
    BadRequest(String),
    /// A pagination cursor that this list did not hand out.
    #[error("the cursor is not valid for this list")]
    InvalidCursor,
    /// `at_block` is beyond what the indexer has stored.
    #[error("block {requested} is not indexed yet (head is {head})")]
    NotIndexed {
        /// The block asked for.
        requested: i64,
        /// The indexer head.
        head: i64,
    },
    /// No such resource.
    #[error("{0} not found")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request body is over the limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The client is over its rate limit.
    #[error("rate limit exceeded, retry in {retry_after} s")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after: u64,
    },
    /// The request took longer than the configured limit.
    #[error("the request took too long")]
    Timeout,
    /// The service cannot answer now (store unreachable, indexer stalled or empty).
    #[error("{0}")]
    Unavailable(String),
    /// A failure inside the service; the cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

/// Result type of the handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`bad_request`, `not_found`, `rate_limited`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// The cause of an internal error, attached to the response for the logging middleware.
#[derive(Debug, Clone)]
pub(crate) struct InternalCause(pub String);

impl ApiError {
    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::InvalidCursor | Self::NotIndexed { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code in the body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::InvalidCursor => "invalid_cursor",
            Self::NotIndexed { .. } => "block_not_indexed",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Timeout => "timeout",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The error for a response status that carries no JSON body of its own (axum's and
    /// tower-http's plain rejections).
    pub(crate) fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::NotFound("route".into()),
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => Self::Timeout,
            s if s.is_client_error() => {
                Self::BadRequest(s.canonical_reason().unwrap_or("bad request").to_lowercase())
            }
            s => Self::Internal(format!("plain {s} response")),
        }
    }
}

impl From<atelier_store::Error> for ApiError {
    fn from(e: atelier_store::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        Self::BadRequest(format!("invalid query: {}", e.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        Self::BadRequest(format!("invalid path: {}", e.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.to_string(),
            },
        };
        let mut res = (status, Json(body)).into_response();
        match self {
            Self::RateLimited { retry_after } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            Self::Internal(cause) => {
                res.extensions_mut().insert(InternalCause(cause));
            }
            _ => {}
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let e = ApiError::from(atelier_store::Error::Url("secret SELECT".into()));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.to_string(), "internal error");
    }

    #[test]
    fn plain_statuses_map_to_codes() {
        assert_eq!(
            ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED).code(),
            "method_not_allowed"
        );
        assert_eq!(
            ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE).status_code(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE).code(),
            "bad_request"
        );
    }
}
