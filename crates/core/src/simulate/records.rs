//! The records the simulator emits, one type per canonical table, compact and
//! allocation-free (names are indices; writers turn them into text).

pub use crate::schema::Outcome;

/// One simulated call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallRecord {
    /// Sequence number, unique in the run (`call_id` is written from it).
    pub id: u64,
    /// Index into the configured queues.
    pub queue: u16,
    /// Arrival, ms since the epoch.
    pub arrived_ms: i64,
    /// Outcome.
    pub outcome: Outcome,
    /// Time in queue, ms.
    pub wait_ms: i64,
    /// Answering agent (index), if answered.
    pub agent: Option<u32>,
    /// Talk time, ms (answered calls).
    pub talk_ms: i64,
    /// Hold time, ms.
    pub hold_ms: i64,
    /// After-call work, ms.
    pub acw_ms: i64,
    /// Rings heard before answer (answered calls).
    pub rings: u32,
    /// Transferred by the agent.
    pub transferred: bool,
    /// Caller (customer) number.
    pub caller: u64,
}

/// Agent state as recorded in `agent_states.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentState {
    /// Logged in, idle, waiting for a call.
    Ready,
    /// On a call.
    Talk,
    /// Caller on hold.
    Hold,
    /// After-call work.
    Acw,
    /// Short break.
    Break,
    /// Lunch.
    Lunch,
}

impl AgentState {
    /// The canonical word.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Ready => "ready",
            AgentState::Talk => "talk",
            AgentState::Hold => "hold",
            AgentState::Acw => "acw",
            AgentState::Break => "break",
            AgentState::Lunch => "lunch",
        }
    }
}

/// One interval of an agent's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateRecord {
    /// Agent index.
    pub agent: u32,
    /// State.
    pub state: AgentState,
    /// Start, ms since the epoch.
    pub start_ms: i64,
    /// End, ms since the epoch (> start).
    pub end_ms: i64,
}

/// A planned activity (`schedules.activity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Work.
    Work,
    /// Short break.
    Break,
    /// Lunch.
    Lunch,
}

impl Activity {
    /// The canonical word.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Work => "work",
            Activity::Break => "break",
            Activity::Lunch => "lunch",
        }
    }
}

/// One planned schedule segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRecord {
    /// Agent index.
    pub agent: u32,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Activity.
    pub activity: Activity,
}

/// One agent of the headcount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentRecord {
    /// Agent index.
    pub agent: u32,
    /// Queue (team) index.
    pub queue: u16,
    /// Hiring date, days since 1970-01-01.
    pub hired_on: i32,
    /// Leaving date, if the agent left.
    pub left_on: Option<i32>,
    /// Full-time contract.
    pub full_time: bool,
}

/// One quality evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QaRecord {
    /// Agent index.
    pub agent: u32,
    /// When evaluated, ms.
    pub evaluated_ms: i64,
    /// Score 0–100.
    pub score: f64,
    /// The evaluated call.
    pub call: u64,
}

/// Cost category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostCategory {
    /// Agent wages for scheduled work.
    Staff,
    /// Per-call line charges.
    Telecom,
    /// Fixed daily site costs.
    Facilities,
}

impl CostCategory {
    /// The category word.
    pub fn as_str(self) -> &'static str {
        match self {
            CostCategory::Staff => "staff",
            CostCategory::Telecom => "telecom",
            CostCategory::Facilities => "facilities",
        }
    }
}

/// One day's cost of one category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostRecord {
    /// The day (days since 1970-01-01); the period is that whole UTC day.
    pub day: i32,
    /// Amount in the currency [`super::CURRENCY`].
    pub amount: f64,
    /// Category.
    pub category: CostCategory,
}

/// Ticket kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKind {
    /// Repair work order.
    Repair,
    /// Complaint.
    Complaint,
    /// Enquiry.
    Enquiry,
    /// Service request.
    Service,
}

impl TicketKind {
    /// The canonical word.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Repair => "repair",
            TicketKind::Complaint => "complaint",
            TicketKind::Enquiry => "enquiry",
            TicketKind::Service => "service",
        }
    }
}

/// One ticket, with every timestamp already known (`None` when it had not happened by
/// the end of the simulation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TicketRecord {
    /// Sequence number.
    pub id: u64,
    /// Created, ms.
    pub created_ms: i64,
    /// Kind.
    pub kind: TicketKind,
    /// Category word (`safety`, `leak`, `other` for repairs).
    pub category: &'static str,
    /// Severity word for complaints.
    pub severity: Option<&'static str>,
    /// Channel word.
    pub channel: &'static str,
    /// Customer number.
    pub customer: u64,
    /// Building number.
    pub building: u32,
    /// Flat number within the building.
    pub flat: u32,
    /// Department word.
    pub department: &'static str,
    /// The call that opened it.
    pub call: Option<u64>,
    /// Escalated, ms.
    pub escalated_ms: Option<i64>,
    /// First clear answer, ms.
    pub answered_ms: Option<i64>,
    /// Work done, ms.
    pub completed_ms: Option<i64>,
    /// Closed, ms.
    pub resolved_ms: Option<i64>,
    /// Follow-up done, ms.
    pub callback_ms: Option<i64>,
    /// Customer's own deadline, ms.
    pub requested_ms: Option<i64>,
    /// Satisfaction 1–5.
    pub satisfaction: Option<f64>,
}

/// Receives the simulator's records as they are produced (streaming: the simulator
/// keeps no output in memory).
pub trait SimSink {
    /// A finished call.
    fn call(&mut self, record: &CallRecord);
    /// A closed agent-state interval.
    fn agent_state(&mut self, record: &StateRecord);
    /// A planned schedule segment.
    fn schedule(&mut self, record: &ScheduleRecord);
    /// An agent of the headcount.
    fn agent(&mut self, record: &AgentRecord);
    /// A QA evaluation.
    fn qa(&mut self, record: &QaRecord);
    /// A daily cost.
    fn cost(&mut self, record: &CostRecord);
    /// A ticket.
    fn ticket(&mut self, record: &TicketRecord);
}

/// A sink that keeps everything in vectors (tests and small runs).
#[derive(Debug, Default, Clone)]
pub struct CollectSink {
    /// Calls.
    pub calls: Vec<CallRecord>,
    /// Agent states.
    pub agent_states: Vec<StateRecord>,
    /// Schedules.
    pub schedules: Vec<ScheduleRecord>,
    /// Agents.
    pub agents: Vec<AgentRecord>,
    /// QA evaluations.
    pub qa: Vec<QaRecord>,
    /// Costs.
    pub costs: Vec<CostRecord>,
    /// Tickets.
    pub tickets: Vec<TicketRecord>,
}

impl SimSink for CollectSink {
    fn call(&mut self, r: &CallRecord) {
        self.calls.push(*r);
    }
    fn agent_state(&mut self, r: &StateRecord) {
        self.agent_states.push(*r);
    }
    fn schedule(&mut self, r: &ScheduleRecord) {
        self.schedules.push(*r);
    }
    fn agent(&mut self, r: &AgentRecord) {
        self.agents.push(*r);
    }
    fn qa(&mut self, r: &QaRecord) {
        self.qa.push(*r);
    }
    fn cost(&mut self, r: &CostRecord) {
        self.costs.push(*r);
    }
    fn ticket(&mut self, r: &TicketRecord) {
        self.tickets.push(*r);
    }
}
