#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mimi_conformance_fuzz::bodies::cbor_item_tree(data));
