import SQLKit

/// The few places SQLite and PostgreSQL differ in this schema, as data.
struct SQLDialectTypes: Sendable {
    let kind: DatabaseKind

    /// Timestamps are stored as milliseconds since 1970 on both databases: exact, sortable, dialect-neutral.
    var timestamp: SQLDataType { .bigint }

    /// `BOOLEAN` on PostgreSQL, `INTEGER` 0/1 on SQLite.
    var boolean: SQLDataType {
        switch kind {
        case .postgres: .custom(SQLRaw("BOOLEAN"))
        case .sqlite: .int
        }
    }

    /// `JSONB` on PostgreSQL, `TEXT` on SQLite.
    var json: SQLDataType {
        switch kind {
        case .postgres: .custom(SQLRaw("JSONB"))
        case .sqlite: .text
        }
    }

    /// An auto-assigned 64-bit key (SQLite requires the exact spelling `INTEGER` for its rowid alias).
    var sequenceKey: SQLDataType {
        switch kind {
        case .postgres: .bigint
        case .sqlite: .custom(SQLRaw("INTEGER"))
        }
    }
}

/// A JSON document bound as a parameter: cast to `JSONB` on PostgreSQL, plain text on SQLite.
struct SQLJSONBind: SQLExpression {
    let json: String

    func serialize(to serializer: inout SQLSerializer) {
        if serializer.dialect.name == "postgresql" {
            serializer.write("CAST(")
            SQLBind(json).serialize(to: &serializer)
            serializer.write(" AS JSONB)")
        } else {
            SQLBind(json).serialize(to: &serializer)
        }
    }
}

/// A JSON column read back as text on both databases.
struct SQLJSONText: SQLExpression {
    let column: String

    func serialize(to serializer: inout SQLSerializer) {
        if serializer.dialect.name == "postgresql" {
            serializer.write("CAST(")
            SQLColumn(column).serialize(to: &serializer)
            serializer.write(" AS TEXT)")
        } else {
            SQLColumn(column).serialize(to: &serializer)
        }
    }
}
