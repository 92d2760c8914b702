//! Google Authenticator `otpauth-migration://` transfer payloads (issue 3; being written).
