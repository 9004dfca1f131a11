// Command pulumi-language-nodejs stands in front of the Node.js language host that
// scripts/install-pulumi.sh builds from sdk/v3 v3.68.0, the newest one the Go module proxy serves.
//
// That host predates the LanguageRuntime RunPlugin RPC, through which a current engine starts a
// Node.js policy pack (`pulumi preview --policy-pack ...`). So this program starts the real host
// as a child with the engine's arguments, serves gRPC in its place, answers RunPlugin itself and
// passes every other call through to the child byte for byte. So the child still runs programs,
// and a call the shim has no code for still reaches it, and its answer (or "unimplemented")
// reaches the engine unchanged.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Set with -ldflags -X by install-pulumi.sh. stamp lets the script tell a current shim from an
// older build (or the bare v3.68 host) left in the shared cache; realHost is the child's file
// name, looked up beside this executable.
var (
	stamp    = "dev"
	realHost = "pulumi-language-nodejs-v3.68"
)

// The engine allows plugin messages of up to 400 MiB; the proxy must not be the narrower pipe.
const maxMessage = 400 << 20

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--shim-stamp" {
		fmt.Println(stamp)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (shim): %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The engine's arguments (the engine address last, logging flags before it) mean the same
	// to the child, so they are passed on untouched.
	child := exec.Command(filepath.Join(filepath.Dir(self), realHost), os.Args[1:]...)
	child.Stderr = os.Stderr
	// A pipe of our own rather than StdoutPipe, which Wait would close under the reader below.
	childOut, childStdout, err := os.Pipe()
	if err != nil {
		return err
	}
	child.Stdout = childStdout
	err = child.Start()
	_ = childStdout.Close()
	if err != nil {
		return err
	}
	// Like every plugin, the child prints its port as the first line of stdout.
	out := bufio.NewReader(childOut)
	line, err := out.ReadString('\n')
	if err != nil {
		_ = child.Process.Kill()
		return fmt.Errorf("reading the port of %s: %w (read %q)", realHost, err, line)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		_ = child.Process.Kill()
		return fmt.Errorf("%s printed %q instead of its port", realHost, line)
	}

	conn, err := grpc.NewClient(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec{}),
			grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		return err
	}
	server := grpc.NewServer(
		grpc.ForceServerCodec(codec{}),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage),
		// Invoked for every method not registered below, which is all but RunPlugin.
		grpc.UnknownServiceHandler(forwardTo(conn)),
	)
	server.RegisterService(&grpc.ServiceDesc{
		ServiceName: pulumirpc.LanguageRuntime_ServiceDesc.ServiceName,
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{
			StreamName:    "RunPlugin",
			ServerStreams: true,
			Handler:       func(_ any, s grpc.ServerStream) error { return runPlugin(s) },
		}},
	}, nil)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(lis.Addr().(*net.TCPAddr).Port)
	// Whatever else the child prints goes where the engine reads the rest of our stdout.
	go func() { _, _ = io.Copy(os.Stdout, out) }()

	// The engine stops a language host with SIGINT to its process group, which reaches the child
	// too; a signal sent to this process alone is passed on, so the child never outlives it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			_ = child.Process.Signal(sig)
		}
	}()
	// Without the child there is nothing to forward to: leave with its exit code.
	go func() {
		_ = child.Wait()
		server.Stop()
		os.Exit(child.ProcessState.ExitCode())
	}()
	return server.Serve(lis)
}

// frame is a message passed through undecoded.
type frame []byte

// codec moves frames as they are and encodes real messages (those of RunPlugin) as protobuf.
type codec struct{}

func (codec) Name() string { return "proto" }

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case *frame:
		return *m, nil
	case proto.Message:
		return proto.Marshal(m)
	}
	return nil, fmt.Errorf("cannot encode %T", v)
}

func (codec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *frame:
		// gRPC may reuse data's buffer once this returns.
		*m = append([]byte(nil), data...)
		return nil
	case proto.Message:
		return proto.Unmarshal(data, m)
	}
	return fmt.Errorf("cannot decode into %T", v)
}

// forwardTo relays one call of any kind (unary or streaming) to the child, with its metadata and
// deadline, and relays the child's headers, responses, trailers and final status back.
func forwardTo(conn *grpc.ClientConn) grpc.StreamHandler {
	return func(_ any, in grpc.ServerStream) error {
		method, ok := grpc.MethodFromServerStream(in)
		if !ok {
			return status.Error(codes.Internal, "no method name on the stream")
		}
		ctx, cancel := context.WithCancel(in.Context())
		defer cancel()
		md, _ := metadata.FromIncomingContext(ctx)
		desc := &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}
		out, err := conn.NewStream(metadata.NewOutgoingContext(ctx, md), desc, method)
		if err != nil {
			return err
		}
		go func() {
			for {
				var f frame
				if err := in.RecvMsg(&f); err != nil {
					if errors.Is(err, io.EOF) {
						_ = out.CloseSend()
					} else {
						cancel()
					}
					return
				}
				if err := out.SendMsg(&f); err != nil {
					// The child's side has ended; its status arrives through RecvMsg below.
					return
				}
			}
		}()
		if header, err := out.Header(); err == nil {
			if err := in.SendHeader(header); err != nil {
				return err
			}
		}
		for {
			var f frame
			if err := out.RecvMsg(&f); err != nil {
				in.SetTrailer(out.Trailer())
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			if err := in.SendMsg(&f); err != nil {
				return err
			}
		}
	}
}

// runPlugin starts a policy pack the way the pack's own @pulumi/pulumi expects to be started:
// `node .../cmd/run-policy-pack <engine address> <pack folder>`. Its stdout (first the analyzer's
// port, which the engine reads from this stream), stderr and exit code go back as messages.
func runPlugin(s grpc.ServerStream) error {
	var req pulumirpc.RunPluginRequest
	if err := s.RecvMsg(&req); err != nil {
		return err
	}
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented,
			"this language host shim runs policy packs (kind analyzer), not %q plugins", req.GetKind())
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" || len(req.GetArgs()) == 0 {
		return status.Error(codes.InvalidArgument, "RunPlugin needs a program directory and the engine address")
	}
	send := sender(s)

	entry := findRunPolicyPack(dir)
	if entry == "" {
		// The engine recognises node's wording and tells the user to install the pack's
		// dependencies, so the same words are used here.
		msg := fmt.Sprintf("Error: Cannot find module '@pulumi/pulumi/cmd/run-policy-pack' from %s\n", dir)
		if err := send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: []byte(msg)}}); err != nil {
			return err
		}
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: 1}})
	}

	// Only the last argument, the engine address, is passed: run-policy-pack parses its
	// arguments with minimist, which would take the address as the value of a flag before it.
	program := filepath.Join(dir, req.GetInfo().GetEntryPoint())
	cmd := exec.CommandContext(s.Context(), "node", entry, req.Args[len(req.Args)-1], program)
	// The pack folder, not the stack's, as the engine does for packs started without a language
	// host: tsconfig.json and the like are looked up relative to it.
	cmd.Dir = dir
	cmd.Env = req.GetEnv()
	if len(cmd.Env) == 0 {
		cmd.Env = os.Environ()
	}
	cmd.Stdout = output{send, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}}
	cmd.Stderr = output{send, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}}
	// The engine ends the stream to stop the pack: ask node to leave, then make it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	err := cmd.Run()
	if ctxErr := s.Context().Err(); ctxErr != nil {
		return status.FromContextError(ctxErr).Err()
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return status.Errorf(codes.Unknown, "running the policy pack: %v", err)
	}
	return send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(cmd.ProcessState.ExitCode())},
	})
}

// sender serialises messages onto the stream, which stdout and stderr write to concurrently.
func sender(s grpc.ServerStream) func(*pulumirpc.RunPluginResponse) error {
	var mu sync.Mutex
	return func(m *pulumirpc.RunPluginResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return s.SendMsg(m)
	}
}

// output sends each chunk the process writes as one message.
type output struct {
	send func(*pulumirpc.RunPluginResponse) error
	wrap func([]byte) *pulumirpc.RunPluginResponse
}

func (o output) Write(b []byte) (int, error) {
	// exec reuses b for the next read; the message must own its bytes.
	if err := o.send(o.wrap(append([]byte(nil), b...))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// findRunPolicyPack looks for @pulumi/pulumi the way node's require would from the pack folder:
// in node_modules there, then in each parent folder's.
func findRunPolicyPack(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
