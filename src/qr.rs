//! QR code decoding from images (issue 3; being written).
