package main

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The seed's Go types (kubernaut.ai/v1alpha1), field for field with the same JSON tags, so a
// decode/encode here is what the WorkflowExecution controller's own does.

type WorkflowExecution struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   WorkflowExecutionSpec   `json:"spec,omitempty"`
	Status WorkflowExecutionStatus `json:"status,omitempty"`
}

type WorkflowExecutionSpec struct {
	RemediationRequestRef corev1.ObjectReference `json:"remediationRequestRef"`
	WorkflowRef           WorkflowRef            `json:"workflowRef"`
	TargetResource        string                 `json:"targetResource"`
	Parameters            map[string]string      `json:"parameters,omitempty"`
	Confidence            float64                `json:"confidence,omitempty"`
	Rationale             string                 `json:"rationale,omitempty"`
	ExecutionConfig       *ExecutionConfig       `json:"executionConfig,omitempty"`
}

type WorkflowRef struct {
	WorkflowID            string                `json:"workflowId"`
	Version               string                `json:"version"`
	ExecutionBundle       string                `json:"executionBundle"`
	ExecutionBundleDigest string                `json:"executionBundleDigest,omitempty"`
	EngineConfig          *apiextensionsv1.JSON `json:"engineConfig,omitempty"`
}

type ExecutionConfig struct {
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

type WorkflowExecutionStatus struct {
	ObservedGeneration     int64                        `json:"observedGeneration,omitempty"`
	Phase                  string                       `json:"phase,omitempty"`
	StartTime              *metav1.Time                 `json:"startTime,omitempty"`
	CompletionTime         *metav1.Time                 `json:"completionTime,omitempty"`
	Duration               *metav1.Duration             `json:"duration,omitempty"`
	ExecutionRef           *corev1.LocalObjectReference `json:"executionRef,omitempty"`
	ExecutionStatus        *ExecutionStatusSummary      `json:"executionStatus,omitempty"`
	FailureReason          string                       `json:"failureReason,omitempty"`
	FailureDetails         *FailureDetails              `json:"failureDetails,omitempty"`
	BlockClearance         *BlockClearanceDetails       `json:"blockClearance,omitempty"`
	EphemeralCredentialIDs []int                        `json:"ephemeralCredentialIDs,omitempty"`
	ExecutionEngine        string                       `json:"executionEngine,omitempty"`
	ServiceAccountName     string                       `json:"serviceAccountName,omitempty"`
	Conditions             []metav1.Condition           `json:"conditions,omitempty"`
}

type ExecutionStatusSummary struct {
	Status         corev1.ConditionStatus `json:"status"`
	Reason         string                 `json:"reason,omitempty"`
	Message        string                 `json:"message,omitempty"`
	CompletedTasks int                    `json:"completedTasks,omitempty"`
	TotalTasks     int                    `json:"totalTasks,omitempty"`
}

type FailureDetails struct {
	FailedTaskIndex            int              `json:"failedTaskIndex"`
	FailedTaskName             string           `json:"failedTaskName"`
	FailedStepName             string           `json:"failedStepName,omitempty"`
	Reason                     string           `json:"reason"`
	Message                    string           `json:"message"`
	ExitCode                   *int32           `json:"exitCode,omitempty"`
	FailedAt                   metav1.Time      `json:"failedAt"`
	ExecutionTimeBeforeFailure *metav1.Duration `json:"executionTimeBeforeFailure,omitempty"`
	NaturalLanguageSummary     string           `json:"naturalLanguageSummary"`
	WasExecutionFailure        bool             `json:"wasExecutionFailure,omitempty"`
}

type BlockClearanceDetails struct {
	ClearedAt   metav1.Time `json:"clearedAt"`
	ClearedBy   string      `json:"clearedBy"`
	ClearReason string      `json:"clearReason"`
	ClearMethod string      `json:"clearMethod"`
}

// DeepCopyObject makes WorkflowExecution a runtime.Object. controller-gen writes this field by field;
// a JSON round trip is equivalent for these types and keeps the tool small.
func (in *WorkflowExecution) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	data, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	out := &WorkflowExecution{}
	if err := json.Unmarshal(data, out); err != nil {
		panic(err)
	}
	return out
}
