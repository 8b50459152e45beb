/**
 * The one place workload images are pinned (node images live in kind/versions.json).
 *
 * agnhost 2.53: the digest below is the one upstream-adjacent projects pin for this tag
 * (kubernetes-sigs/kueue hack/e2e-common.sh `E2E_TEST_AGNHOST_IMAGE`, and several independent
 * repositories agree on it); it was found in sources, not pulled here (no registry access).
 * agnhost doubles as the client image: its Dockerfile (kubernetes test/images/agnhost/Dockerfile)
 * installs curl and busybox sh on alpine, so no second image (curlimages/curl) is needed.
 */
export const IMAGES = {
  /** Echo backends (`netexec`, GET /hostname answers with the pod name) and client pods (`pause` + curl). */
  agnhost:
    'registry.k8s.io/e2e-test-images/agnhost:2.53@sha256:99c6b4bb4a1e1df3f0b3752168c89358794d02258ebebc26bf21c29399011a85',
} as const;

/** Name of a pinned image. */
export type ImageName = keyof typeof IMAGES;
