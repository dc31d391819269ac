//! The function table: names (case-insensitive, as in Cypher), argument counts and
//! which names are aggregates. Evaluation lives in `exec::functions`.

use super::logical::AggregateKind;

macro_rules! functions {
    ($($variant:ident = $name:literal, $min:literal ..= $max:expr;)*) => {
        /// A scalar function, resolved at plan time.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Function { $($variant),* }

        impl Function {
            /// The function called `name` (any case) with its allowed argument counts.
            pub fn resolve(name: &str) -> Option<(Function, usize, usize)> {
                let lower = name.to_ascii_lowercase();
                match lower.as_str() {
                    $(n if n == $name.to_ascii_lowercase() => Some((Function::$variant, $min, $max)),)*
                    _ => None,
                }
            }

            /// The canonical spelling, for messages and completion.
            pub fn name(self) -> &'static str {
                match self { $(Function::$variant => $name),* }
            }

            /// Every function name, for completion and `:help`.
            pub fn all_names() -> &'static [&'static str] {
                &[$($name),*]
            }
        }
    };
}

functions! {
    Id = "id", 1..=1;
    ElementId = "elementId", 1..=1;
    Labels = "labels", 1..=1;
    Type = "type", 1..=1;
    Properties = "properties", 1..=1;
    Keys = "keys", 1..=1;
    Length = "length", 1..=1;
    Nodes = "nodes", 1..=1;
    Relationships = "relationships", 1..=1;
    StartNode = "startNode", 1..=1;
    EndNode = "endNode", 1..=1;
    Size = "size", 1..=1;
    Head = "head", 1..=1;
    Last = "last", 1..=1;
    Tail = "tail", 1..=1;
    Range = "range", 2..=3;
    Reverse = "reverse", 1..=1;
    IsEmpty = "isEmpty", 1..=1;
    Coalesce = "coalesce", 1..=usize::MAX;
    Exists = "exists", 1..=1;
    ToString = "toString", 1..=1;
    ToStringOrNull = "toStringOrNull", 1..=1;
    ToInteger = "toInteger", 1..=1;
    ToIntegerOrNull = "toIntegerOrNull", 1..=1;
    ToFloat = "toFloat", 1..=1;
    ToFloatOrNull = "toFloatOrNull", 1..=1;
    ToBoolean = "toBoolean", 1..=1;
    ToBooleanOrNull = "toBooleanOrNull", 1..=1;
    ToLower = "toLower", 1..=1;
    ToUpper = "toUpper", 1..=1;
    Lower = "lower", 1..=1;
    Upper = "upper", 1..=1;
    Trim = "trim", 1..=1;
    LTrim = "ltrim", 1..=1;
    RTrim = "rtrim", 1..=1;
    Split = "split", 2..=2;
    Substring = "substring", 2..=3;
    Replace = "replace", 3..=3;
    Left = "left", 2..=2;
    Right = "right", 2..=2;
    Abs = "abs", 1..=1;
    Ceil = "ceil", 1..=1;
    Floor = "floor", 1..=1;
    Round = "round", 1..=3;
    Sign = "sign", 1..=1;
    Sqrt = "sqrt", 1..=1;
    Exp = "exp", 1..=1;
    Log = "log", 1..=1;
    Log10 = "log10", 1..=1;
    E = "e", 0..=0;
    Pi = "pi", 0..=0;
    Rand = "rand", 0..=0;
    Sin = "sin", 1..=1;
    Cos = "cos", 1..=1;
    Tan = "tan", 1..=1;
    Cot = "cot", 1..=1;
    Asin = "asin", 1..=1;
    Acos = "acos", 1..=1;
    Atan = "atan", 1..=1;
    Atan2 = "atan2", 2..=2;
    Haversin = "haversin", 1..=1;
    Degrees = "degrees", 1..=1;
    Radians = "radians", 1..=1;
    Date = "date", 0..=1;
    DateTime = "datetime", 0..=1;
    LocalDateTime = "localdatetime", 0..=1;
    LocalTime = "localtime", 0..=1;
    Time = "time", 0..=1;
    Duration = "duration", 1..=1;
    Timestamp = "timestamp", 0..=0;
    Sources = "sources", 1..=1;
    WeakestStatus = "weakestStatus", 1..=1;
    DateTransaction = "date.transaction", 0..=1;
    DateStatement = "date.statement", 0..=1;
    DateRealtime = "date.realtime", 0..=1;
    DateTruncate = "date.truncate", 2..=3;
    LocalTimeTransaction = "localtime.transaction", 0..=1;
    LocalTimeStatement = "localtime.statement", 0..=1;
    LocalTimeRealtime = "localtime.realtime", 0..=1;
    LocalTimeTruncate = "localtime.truncate", 2..=3;
    TimeTransaction = "time.transaction", 0..=1;
    TimeStatement = "time.statement", 0..=1;
    TimeRealtime = "time.realtime", 0..=1;
    TimeTruncate = "time.truncate", 2..=3;
    LocalDateTimeTransaction = "localdatetime.transaction", 0..=1;
    LocalDateTimeStatement = "localdatetime.statement", 0..=1;
    LocalDateTimeRealtime = "localdatetime.realtime", 0..=1;
    LocalDateTimeTruncate = "localdatetime.truncate", 2..=3;
    DateTimeTransaction = "datetime.transaction", 0..=1;
    DateTimeStatement = "datetime.statement", 0..=1;
    DateTimeRealtime = "datetime.realtime", 0..=1;
    DateTimeTruncate = "datetime.truncate", 2..=3;
    DateTimeFromEpoch = "datetime.fromepoch", 2..=2;
    DateTimeFromEpochMillis = "datetime.fromepochmillis", 1..=1;
    DurationBetween = "duration.between", 2..=2;
    DurationInMonths = "duration.inMonths", 2..=2;
    DurationInDays = "duration.inDays", 2..=2;
    DurationInSeconds = "duration.inSeconds", 2..=2;
    PartialDate = "partialDate", 1..=1;
    Earliest = "earliest", 1..=1;
    Latest = "latest", 1..=1;
}

/// The aggregate called `name` (any case), with its allowed argument counts.
pub fn aggregate(name: &str) -> Option<(AggregateKind, usize, usize)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "count" => (AggregateKind::Count, 1, 1),
        "sum" => (AggregateKind::Sum, 1, 1),
        "avg" => (AggregateKind::Avg, 1, 1),
        "min" => (AggregateKind::Min, 1, 1),
        "max" => (AggregateKind::Max, 1, 1),
        "collect" => (AggregateKind::Collect, 1, 1),
        "stdev" => (AggregateKind::StDev, 1, 1),
        "stdevp" => (AggregateKind::StDevP, 1, 1),
        "percentilecont" => (AggregateKind::PercentileCont, 2, 2),
        "percentiledisc" => (AggregateKind::PercentileDisc, 2, 2),
        _ => return None,
    })
}

/// Aggregate names, for completion.
pub const AGGREGATE_NAMES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "collect",
    "stDev",
    "stDevP",
    "percentileCont",
    "percentileDisc",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_resolve_in_any_case() {
        assert_eq!(
            Function::resolve("TOUPPER").map(|f| f.0),
            Some(Function::ToUpper)
        );
        assert_eq!(Function::resolve("nope"), None);
    }

    #[test]
    fn aggregates_are_separate_from_functions() {
        assert!(aggregate("COUNT").is_some());
        assert!(Function::resolve("count").is_none());
    }
}
