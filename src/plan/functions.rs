//! The function catalogue: one row per Cypher function, with a column per fact (see
//! [`FunctionInfo`]). The planner resolves calls here, the executor reads how a function
//! treats null, the journal whether a statement can be replayed from its text, and the
//! shell's completion every name. Implementations live in `exec::functions`, one file
//! per [`Family`]; a unit test there checks that every row has one and no more.
//!
//! Adding a function: one row below and its implementation in its family's file.
//! Domain modules add their functions as [`Extension`]s, registered in [`EXTENSIONS`].

use super::logical::AggregateKind;
pub use crate::catalogue::{Determinism, Expected, Extension, Family, FunctionInfo};

/// The functions of domain modules, after the engine's own.
pub const EXTENSIONS: &[Extension] = crate::casework::FUNCTIONS;

macro_rules! catalogue {
    ($(
        $variant:ident = $name:literal, $min:literal ..= $max:expr,
        $nulls:literal, $determinism:ident, $family:ident, $description:literal;
    )*) => {
        /// A scalar function, resolved at plan time.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Function {
            $($variant,)*
            /// The row at this index of [`EXTENSIONS`].
            Extension(u16),
        }

        impl Function {
            /// The engine's own functions, in catalogue order.
            pub const ENGINE: &[Function] = &[$(Function::$variant),*];

            /// This function's row of the catalogue.
            pub fn info(self) -> &'static FunctionInfo {
                match self {
                    $(Function::$variant => &FunctionInfo {
                        name: $name,
                        min_args: $min,
                        max_args: $max,
                        null_in_null_out: $nulls,
                        determinism: Determinism::$determinism,
                        family: Family::$family,
                        description: $description,
                    },)*
                    Function::Extension(i) => &EXTENSIONS[usize::from(i)].info,
                }
            }
        }
    };
}

// The columns: variant = name, argument counts, whether a null first argument gives
// null, determinism, family, description.
catalogue! {
    Id = "id", 1..=1, true, Pure, Entity, "The internal id of a node or relationship.";
    ElementId = "elementId", 1..=1, true, Pure, Entity, "The element id of a node or relationship, as text.";
    Labels = "labels", 1..=1, true, Pure, Entity, "The labels of a node.";
    Type = "type", 1..=1, true, Pure, Entity, "The type of a relationship.";
    Properties = "properties", 1..=1, true, Pure, Entity, "The properties of a node, relationship or map, as a map.";
    Keys = "keys", 1..=1, true, Pure, Entity, "The property keys of a node, relationship or map.";
    StartNode = "startNode", 1..=1, true, Pure, Entity, "The node a relationship starts from.";
    EndNode = "endNode", 1..=1, true, Pure, Entity, "The node a relationship ends at.";
    Length = "length", 1..=1, true, Pure, Path, "The number of relationships in a path.";
    Nodes = "nodes", 1..=1, true, Pure, Path, "The nodes of a path.";
    Relationships = "relationships", 1..=1, true, Pure, Path, "The relationships of a path.";
    Size = "size", 1..=1, true, Pure, List, "The number of elements of a list, characters of a string or entries of a map.";
    Head = "head", 1..=1, true, Pure, List, "The first element of a list.";
    Last = "last", 1..=1, true, Pure, List, "The last element of a list.";
    Tail = "tail", 1..=1, true, Pure, List, "A list without its first element.";
    Range = "range", 2..=3, false, Pure, List, "The integers from start to end, by an optional step.";
    Reverse = "reverse", 1..=1, true, Pure, List, "A list or string in reverse order.";
    IsEmpty = "isEmpty", 1..=1, true, Pure, List, "Whether a list, string or map is empty.";
    Coalesce = "coalesce", 1..=usize::MAX, false, Pure, Null, "The first argument that is not null.";
    Exists = "exists", 1..=1, false, Pure, Null, "Whether a value is not null.";
    ToString = "toString", 1..=1, true, Pure, Conversion, "A string, number, Boolean or temporal value as a string.";
    ToStringOrNull = "toStringOrNull", 1..=1, true, Pure, Conversion, "Like toString, with null for values it cannot convert.";
    ToInteger = "toInteger", 1..=1, true, Pure, Conversion, "A number, string or Boolean as an integer.";
    ToIntegerOrNull = "toIntegerOrNull", 1..=1, true, Pure, Conversion, "Like toInteger, with null for values it cannot convert.";
    ToFloat = "toFloat", 1..=1, true, Pure, Conversion, "A number or string as a float.";
    ToFloatOrNull = "toFloatOrNull", 1..=1, true, Pure, Conversion, "Like toFloat, with null for values it cannot convert.";
    ToBoolean = "toBoolean", 1..=1, true, Pure, Conversion, "A Boolean, string or integer as a Boolean.";
    ToBooleanOrNull = "toBooleanOrNull", 1..=1, true, Pure, Conversion, "Like toBoolean, with null for values it cannot convert.";
    ToLower = "toLower", 1..=1, true, Pure, String, "A string in lower case.";
    ToUpper = "toUpper", 1..=1, true, Pure, String, "A string in upper case.";
    Lower = "lower", 1..=1, true, Pure, String, "A string in lower case (toLower).";
    Upper = "upper", 1..=1, true, Pure, String, "A string in upper case (toUpper).";
    Trim = "trim", 1..=1, true, Pure, String, "A string without leading and trailing white space.";
    LTrim = "ltrim", 1..=1, true, Pure, String, "A string without leading white space.";
    RTrim = "rtrim", 1..=1, true, Pure, String, "A string without trailing white space.";
    Split = "split", 2..=2, true, Pure, String, "The parts of a string between a separator.";
    Substring = "substring", 2..=3, true, Pure, String, "Part of a string, from a start index and for an optional length.";
    Replace = "replace", 3..=3, true, Pure, String, "A string with every occurrence of a search string replaced.";
    Left = "left", 2..=2, true, Pure, String, "The first n characters of a string.";
    Right = "right", 2..=2, true, Pure, String, "The last n characters of a string.";
    Abs = "abs", 1..=1, true, Pure, Math, "The absolute value of a number.";
    Ceil = "ceil", 1..=1, true, Pure, Math, "The smallest integer not below a number, as a float.";
    Floor = "floor", 1..=1, true, Pure, Math, "The largest integer not above a number, as a float.";
    Round = "round", 1..=3, true, Pure, Math, "A number rounded, to an optional precision.";
    Sign = "sign", 1..=1, true, Pure, Math, "The sign of a number: -1, 0 or 1.";
    Sqrt = "sqrt", 1..=1, true, Pure, Math, "The square root of a number.";
    Exp = "exp", 1..=1, true, Pure, Math, "e raised to a number.";
    Log = "log", 1..=1, true, Pure, Math, "The natural logarithm of a number.";
    Log10 = "log10", 1..=1, true, Pure, Math, "The base-10 logarithm of a number.";
    E = "e", 0..=0, false, Pure, Math, "Euler's number.";
    Pi = "pi", 0..=0, false, Pure, Math, "The number pi.";
    Rand = "rand", 0..=0, false, Random, Math, "A random float in [0, 1).";
    Sin = "sin", 1..=1, true, Pure, Math, "The sine of an angle in radians.";
    Cos = "cos", 1..=1, true, Pure, Math, "The cosine of an angle in radians.";
    Tan = "tan", 1..=1, true, Pure, Math, "The tangent of an angle in radians.";
    Cot = "cot", 1..=1, true, Pure, Math, "The cotangent of an angle in radians.";
    Asin = "asin", 1..=1, true, Pure, Math, "The arcsine of a number, in radians.";
    Acos = "acos", 1..=1, true, Pure, Math, "The arccosine of a number, in radians.";
    Atan = "atan", 1..=1, true, Pure, Math, "The arctangent of a number, in radians.";
    Atan2 = "atan2", 2..=2, true, Pure, Math, "The angle of the point (x, y), in radians.";
    Haversin = "haversin", 1..=1, true, Pure, Math, "Half the versine of an angle in radians.";
    Degrees = "degrees", 1..=1, true, Pure, Math, "Radians converted to degrees.";
    Radians = "radians", 1..=1, true, Pure, Math, "Degrees converted to radians.";
    Date = "date", 0..=1, true, StatementClock, Temporal, "A date from a string, a map or another temporal value; today without one.";
    DateTime = "datetime", 0..=1, true, StatementClock, Temporal, "A date and time with a zone; now without an argument.";
    LocalDateTime = "localdatetime", 0..=1, true, StatementClock, Temporal, "A date and time without a zone; now without an argument.";
    LocalTime = "localtime", 0..=1, true, StatementClock, Temporal, "A time without a zone; now without an argument.";
    Time = "time", 0..=1, true, StatementClock, Temporal, "A time with a zone; now without an argument.";
    Duration = "duration", 1..=1, true, Pure, Temporal, "A duration from a string or a map.";
    Timestamp = "timestamp", 0..=0, false, StatementClock, Temporal, "The statement's clock, in milliseconds since 1970.";
    DateTransaction = "date.transaction", 0..=1, true, StatementClock, Temporal, "Today, by the transaction's clock.";
    DateStatement = "date.statement", 0..=1, true, StatementClock, Temporal, "Today, by the statement's clock.";
    DateRealtime = "date.realtime", 0..=1, true, Random, Temporal, "Today, by the real-time clock.";
    DateTruncate = "date.truncate", 2..=3, true, Pure, Temporal, "A temporal value truncated to a unit, as a date.";
    LocalTimeTransaction = "localtime.transaction", 0..=1, true, StatementClock, Temporal, "The local time, by the transaction's clock.";
    LocalTimeStatement = "localtime.statement", 0..=1, true, StatementClock, Temporal, "The local time, by the statement's clock.";
    LocalTimeRealtime = "localtime.realtime", 0..=1, true, Random, Temporal, "The local time, by the real-time clock.";
    LocalTimeTruncate = "localtime.truncate", 2..=3, true, Pure, Temporal, "A temporal value truncated to a unit, as a local time.";
    TimeTransaction = "time.transaction", 0..=1, true, StatementClock, Temporal, "The time, by the transaction's clock.";
    TimeStatement = "time.statement", 0..=1, true, StatementClock, Temporal, "The time, by the statement's clock.";
    TimeRealtime = "time.realtime", 0..=1, true, Random, Temporal, "The time, by the real-time clock.";
    TimeTruncate = "time.truncate", 2..=3, true, Pure, Temporal, "A temporal value truncated to a unit, as a time.";
    LocalDateTimeTransaction = "localdatetime.transaction", 0..=1, true, StatementClock, Temporal, "The local date and time, by the transaction's clock.";
    LocalDateTimeStatement = "localdatetime.statement", 0..=1, true, StatementClock, Temporal, "The local date and time, by the statement's clock.";
    LocalDateTimeRealtime = "localdatetime.realtime", 0..=1, true, Random, Temporal, "The local date and time, by the real-time clock.";
    LocalDateTimeTruncate = "localdatetime.truncate", 2..=3, true, Pure, Temporal, "A temporal value truncated to a unit, as a local date and time.";
    DateTimeTransaction = "datetime.transaction", 0..=1, true, StatementClock, Temporal, "The date and time, by the transaction's clock.";
    DateTimeStatement = "datetime.statement", 0..=1, true, StatementClock, Temporal, "The date and time, by the statement's clock.";
    DateTimeRealtime = "datetime.realtime", 0..=1, true, Random, Temporal, "The date and time, by the real-time clock.";
    DateTimeTruncate = "datetime.truncate", 2..=3, true, Pure, Temporal, "A temporal value truncated to a unit, as a date and time.";
    DateTimeFromEpoch = "datetime.fromepoch", 2..=2, true, Pure, Temporal, "The date and time some seconds and nanoseconds after 1970.";
    DateTimeFromEpochMillis = "datetime.fromepochmillis", 1..=1, true, Pure, Temporal, "The date and time some milliseconds after 1970.";
    DurationBetween = "duration.between", 2..=2, true, Pure, Temporal, "The duration between two temporal values.";
    DurationInMonths = "duration.inMonths", 2..=2, true, Pure, Temporal, "The whole months between two temporal values.";
    DurationInDays = "duration.inDays", 2..=2, true, Pure, Temporal, "The whole days between two temporal values.";
    DurationInSeconds = "duration.inSeconds", 2..=2, true, Pure, Temporal, "The seconds between two temporal values.";
    PartialDate = "partialDate", 1..=1, true, Pure, Temporal, "A date of month or year precision, or a bound such as <2017-06-08, from its text.";
    Earliest = "earliest", 1..=1, true, Pure, Temporal, "The first day a date or partial date may be (null for an open start).";
    Latest = "latest", 1..=1, true, Pure, Temporal, "The last day a date or partial date may be (null for an open end).";
}

impl Function {
    /// The function called `name` (any case): the engine's own first, then extensions.
    pub fn resolve(name: &str) -> Option<Function> {
        Function::all().find(|f| f.info().name.eq_ignore_ascii_case(name))
    }

    /// The canonical spelling, for messages.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Every scalar function: the engine's own, then the extensions.
    pub fn all() -> impl Iterator<Item = Function> {
        let extensions = (0..EXTENSIONS.len()).filter_map(|i| u16::try_from(i).ok());
        Function::ENGINE
            .iter()
            .copied()
            .chain(extensions.map(Function::Extension))
    }
}

macro_rules! aggregates {
    ($($kind:ident = $name:literal, $min:literal ..= $max:literal, $description:literal;)*) => {
        /// The aggregates' rows, with the aggregation each call plans to.
        const AGGREGATES: &[(AggregateKind, FunctionInfo)] = &[$(
            (AggregateKind::$kind, FunctionInfo {
                name: $name,
                min_args: $min,
                max_args: $max,
                // Aggregates skip nulls themselves; they are never called per row.
                null_in_null_out: false,
                determinism: Determinism::Pure,
                family: Family::Aggregate,
                description: $description,
            }),
        )*];
    };
}

aggregates! {
    Count = "count", 1..=1, "The number of values that are not null (count(*): of rows).";
    Sum = "sum", 1..=1, "The sum of the numbers or durations.";
    Avg = "avg", 1..=1, "The mean of the numbers or durations.";
    Min = "min", 1..=1, "The smallest value.";
    Max = "max", 1..=1, "The largest value.";
    Collect = "collect", 1..=1, "The values that are not null, as a list.";
    StDev = "stDev", 1..=1, "The standard deviation of a sample.";
    StDevP = "stDevP", 1..=1, "The standard deviation of a population.";
    PercentileCont = "percentileCont", 2..=2, "A percentile, interpolated between values.";
    PercentileDisc = "percentileDisc", 2..=2, "A percentile, the nearest value.";
}

/// The aggregate called `name` (any case), with its allowed argument counts.
pub fn aggregate(name: &str) -> Option<(AggregateKind, usize, usize)> {
    AGGREGATES
        .iter()
        .find(|(_, info)| info.name.eq_ignore_ascii_case(name))
        .map(|(kind, info)| (*kind, info.min_args, info.max_args))
}

/// Every row of the catalogue: scalar functions, extensions, then aggregates.
pub fn catalogue() -> impl Iterator<Item = &'static FunctionInfo> {
    Function::all()
        .map(Function::info)
        .chain(AGGREGATES.iter().map(|(_, info)| info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_resolve_in_any_case() {
        assert_eq!(Function::resolve("TOUPPER"), Some(Function::ToUpper));
        assert_eq!(
            Function::resolve("Date.Truncate"),
            Some(Function::DateTruncate)
        );
        assert_eq!(Function::resolve("nope"), None);
    }

    #[test]
    fn aggregates_are_separate_from_functions() {
        assert!(aggregate("COUNT").is_some());
        assert!(Function::resolve("count").is_none());
        assert!(catalogue().any(|f| f.name == "count" && f.is_aggregate()));
    }

    #[test]
    fn catalogue_names_are_unique_and_rows_consistent() {
        let rows: Vec<_> = catalogue().collect();
        for (i, row) in rows.iter().enumerate() {
            assert!(
                rows[..i]
                    .iter()
                    .all(|r| !r.name.eq_ignore_ascii_case(row.name)),
                "{} is listed twice",
                row.name
            );
            assert!(row.min_args <= row.max_args, "{}", row.name);
            assert!(!row.description.is_empty(), "{}", row.name);
        }
    }

    #[test]
    fn extensions_resolve_after_the_engine_functions() {
        for (i, extension) in EXTENSIONS.iter().enumerate() {
            let function = Function::resolve(extension.info.name);
            assert_eq!(function, u16::try_from(i).ok().map(Function::Extension));
            assert_eq!(extension.info.family, Family::Domain);
        }
    }

    #[test]
    fn random_functions_are_not_replayable() {
        assert!(!Function::Rand.info().is_replayable());
        assert!(!Function::DateTimeRealtime.info().is_replayable());
        assert!(Function::Timestamp.info().is_replayable());
        assert!(Function::DateTime.info().is_replayable());
    }
}
