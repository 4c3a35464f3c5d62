#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mimi_conformance_fuzz::bodies::tls_decode_by_name(data));
