/** The hash slot (0–16383) of a key, as Redis Cluster computes it (the package ships no types). */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
