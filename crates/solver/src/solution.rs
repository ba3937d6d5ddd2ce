//! The solution format of TIMETABLING.md.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub unscheduled: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub lesson: String,
    pub day: String,
    pub start: i64,
}
