//! Code points: the bytes of an open newtype over an unsigned integer written once
//! ([`open_newtype_codec!`]), and open enums with the draft's names on top of it
//! ([`open_enum!`]). Open, as rustls's `enum_builder!`: an unknown value still decodes and
//! prints; a select with no arm for a value fails with [`super::bad_enum`].

/// Implements `Size`, `Serialize`, `SerializeBytes` and `DeserializeBytes` for a newtype over
/// an unsigned integer, so that any value decodes (both derive styles can hold one).
macro_rules! open_newtype_codec {
    ($t:ident, $int:ty) => {
        impl tls_codec::Size for $t {
            fn tls_serialized_len(&self) -> usize {
                std::mem::size_of::<$int>()
            }
        }

        impl tls_codec::Serialize for $t {
            fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, tls_codec::Error> {
                tls_codec::Serialize::tls_serialize(&self.0, w)
            }
        }

        impl tls_codec::SerializeBytes for $t {
            fn tls_serialize_bytes(&self) -> Result<Vec<u8>, tls_codec::Error> {
                Ok(self.0.to_be_bytes().to_vec())
            }
        }

        impl tls_codec::DeserializeBytes for $t {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), tls_codec::Error> {
                <$int as tls_codec::DeserializeBytes>::tls_deserialize_bytes(bytes).map(|(v, r)| ($t(v), r))
            }
        }
    };
}
pub(crate) use open_newtype_codec;

/// Declares an open enum over an unsigned integer, as rustls's `enum_builder!` does: a newtype
/// that holds any value (an unknown one still decodes and prints), named constants, and the
/// draft's name of each known value. JSON: the draft's name when known, else the number.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty) { $( $(#[$vmeta:meta])* $konst:ident = $value:literal => $text:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $int);

        #[allow(dead_code)]
        impl $name {
            $( $(#[$vmeta])* pub const $konst: $name = $name($value); )*

            /// The draft's name of this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }

            /// The value with this draft name.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $( $text => Some($name($value)), )*
                    _ => None,
                }
            }

            /// Whether the draft defines this value.
            pub fn is_known(self) -> bool {
                self.name().is_some()
            }

            /// The error for a select that has no arm for this value (rule `bad-enum-value`).
            pub(crate) fn no_arm(self) -> tls_codec::Error {
                $crate::codec::tls::bad_enum(stringify!($name), u64::from(self.0))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        $crate::codec::tls::open_newtype_codec!($name, $int);

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(n) => s.serialize_str(n),
                    None => s.serialize_u64(u64::from(self.0)),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                #[derive(serde::Deserialize)]
                #[serde(untagged)]
                enum Repr {
                    Num(u64),
                    Name(String),
                }
                match Repr::deserialize(d)? {
                    Repr::Num(n) => <$int>::try_from(n)
                        .map($name)
                        .map_err(|_| D::Error::custom(format!("{} value {n} out of range", stringify!($name)))),
                    Repr::Name(s) => $name::from_name(&s)
                        .ok_or_else(|| D::Error::custom(format!("unknown {} name {s:?}", stringify!($name)))),
                }
            }
        }
    };
}
pub(crate) use open_enum;
