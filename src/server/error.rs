//! One error type for every route: a status and `{"error": "stable_code",
//! "message": "…"}`. Client errors (bad parameters, missing data, auth) are the
//! caller's to fix and are not logged; server errors are logged with their cause
//! chain and answered with a generic message.

use crate::ingest::IngestError;
use crate::query::QueryError;
use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code a client can branch on (`bad_parameter`, `unauthorized`, …).
    pub code: &'static str,
    /// A sentence saying what is wrong and what to do.
    pub message: String,
}

/// The JSON body of an error (documented in the OpenAPI document).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code: bad_parameter, no_data, unauthorized, writes_disabled,
    /// payload_too_large, not_found, store_busy, timeout, internal.
    pub error: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl ApiError {
    /// A 400: the request's parameters cannot be used.
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_parameter",
            message: message.into(),
        }
    }

    /// A 404 with `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code,
            message: message.into(),
        }
    }

    /// A 401: a write without a valid token.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }

    /// A 500, logged with its cause; the body says only that it failed.
    pub fn internal(what: &str, cause: &dyn std::error::Error) -> ApiError {
        eprintln!("error: {what}: {}", crate::query::error_chain(cause));
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: format!("{what} failed; the server's log says why"),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        match e {
            QueryError::EmptyStore { .. } | QueryError::NoTickets { .. } => {
                ApiError::not_found("no_data", e.to_string())
            }
            QueryError::NoSchedules { .. } => ApiError::not_found("no_roster", e.to_string()),
            QueryError::NoAgent { .. } => ApiError::not_found("no_agent", e.to_string()),
            QueryError::Store(StoreError::Locked { .. }) => store_busy(),
            e if e.is_client_error() => ApiError::bad_parameter(e.to_string()),
            e => ApiError::internal("the query", &e),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> ApiError {
        match e {
            IngestError::Input { .. }
            | IngestError::UnknownKind { .. }
            | IngestError::Parquet { .. } => ApiError::bad_parameter(e.to_string()),
            IngestError::Store(StoreError::Locked { .. }) => store_busy(),
            e => ApiError::internal("the ingest", &e),
        }
    }
}

fn store_busy() -> ApiError {
    ApiError {
        status: StatusCode::CONFLICT,
        code: "store_busy",
        message: "another ingest is writing to the store; try again in a moment".into(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.code,
                message: self.message,
            }),
        )
            .into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}
