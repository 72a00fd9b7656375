// roundtrip does what a controller-runtime WorkflowExecution controller does to a stored object:
// GET it into the seed's typed Go structs (metav1.Duration, int64, metav1.Condition…), add a
// finalizer, and Update() it, otherwise unchanged; with -status it then also UpdateStatus()es it
// unchanged. Whatever the webhook stored must survive this, or every controller update is refused.
//
//	go run ./roundtrip -kubeconfig KUBECONFIG -namespace NS -name NAME [-finalizer F] [-status]
//
// Prints the object the apiserver returned (JSON) on stdout; on refusal prints the apiserver's
// error on stderr and exits 1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var groupVersion = schema.GroupVersion{Group: "kubernaut.ai", Version: "v1alpha1"}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "path to a kubeconfig")
	namespace := flag.String("namespace", "default", "namespace of the WorkflowExecution")
	name := flag.String("name", "", "name of the WorkflowExecution")
	finalizer := flag.String("finalizer", "kubernaut.ai/workflowexecution-cleanup", "finalizer to add")
	status := flag.Bool("status", false, "also UpdateStatus() the object unchanged")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, "roundtrip: -name is required")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *namespace, *name, *finalizer, *status); err != nil {
		fmt.Fprintf(os.Stderr, "roundtrip: %v\n", err)
		os.Exit(1)
	}
}

func client(kubeconfig string) (*rest.RESTClient, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	scheme.AddKnownTypes(groupVersion, &WorkflowExecution{})
	metav1.AddToGroupVersion(scheme, groupVersion)
	config.GroupVersion = &groupVersion
	config.APIPath = "/apis"
	config.ContentType = runtime.ContentTypeJSON
	// The same typed JSON codec controller-runtime's client uses (sigs.k8s.io/json underneath).
	config.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	config.UserAgent = "wfe-roundtrip"
	return rest.RESTClientFor(config)
}

func run(kubeconfig, namespace, name, finalizer string, status bool) error {
	c, err := client(kubeconfig)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	obj := &WorkflowExecution{}
	if err := c.Get().Namespace(namespace).Resource("workflowexecutions").Name(name).Do(ctx).Into(obj); err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if !slices.Contains(obj.Finalizers, finalizer) {
		obj.Finalizers = append(obj.Finalizers, finalizer)
	}
	updated := &WorkflowExecution{}
	if err := c.Put().Namespace(namespace).Resource("workflowexecutions").Name(name).Body(obj).Do(ctx).Into(updated); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if status {
		after := &WorkflowExecution{}
		if err := c.Put().Namespace(namespace).Resource("workflowexecutions").Name(name).SubResource("status").Body(updated).Do(ctx).Into(after); err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		updated = after
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	return out.Encode(updated)
}
