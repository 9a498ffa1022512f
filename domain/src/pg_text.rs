//! Enums stored as `text`. sqlx's `#[sqlx(type_name = "text")]` makes every connection look
//! the type up by name (`SELECT $1::regtype::oid`) with a *named* prepared statement, which a
//! transaction-mode pooler hands to the next client's server connection ("prepared statement
//! sqlx_s_1 already exists"). These enums derive only `Encode`/`Decode` and take `text`'s
//! built-in type info from this macro: no lookup, nothing named.

/// Implements `sqlx::Type<Postgres>` and `PgHasArrayType` for enums that are `text` columns.
#[macro_export]
macro_rules! pg_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use sqlx::TypeInfo;

    #[derive(sqlx::Encode, sqlx::Decode)]
    #[sqlx(rename_all = "snake_case")]
    enum Colour {
        DeepBlue,
    }
    crate::pg_text!(Colour);

    #[test]
    fn text_enums_carry_texts_builtin_type_info() {
        let info = <Colour as sqlx::Type<sqlx::Postgres>>::type_info();
        assert_eq!(info.name(), "TEXT");
        assert_eq!(info, <String as sqlx::Type<sqlx::Postgres>>::type_info(), "known by OID, never looked up by name");
        assert!(<Colour as sqlx::Type<sqlx::Postgres>>::compatible(&<&str as sqlx::Type<sqlx::Postgres>>::type_info()));
    }
}
