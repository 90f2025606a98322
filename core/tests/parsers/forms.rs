//! `FormData::from_urlencoded`: the body of a urlencoded form.

use mocket_core::FormData;
use proptest::prelude::*;

proptest! {
    /// Any pairs of any text, encoded as a browser encodes a form, read
    /// back as the same pairs in the same order.
    #[test]
    fn encoded_pairs_read_back(pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..8)) {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let form = FormData::from_urlencoded(encoded.as_bytes());
        let read: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        prop_assert_eq!(read, pairs);
    }

    /// Any bytes at all: a form, never a panic, and `get` agrees with `iter`.
    #[test]
    fn any_bytes_parse(input in prop::collection::vec(any::<u8>(), 0..256)) {
        let form = FormData::from_urlencoded(&input);
        for (name, value) in form.iter() {
            prop_assert!(form.get_all(name).any(|v| v == value));
        }
    }
}
