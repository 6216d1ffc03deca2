// class-transformer 0.5 ships its metadata storage (the @Type of each property) at this path without typings beside it.
declare module 'class-transformer/cjs/storage' {
  export * from 'class-transformer/types/storage';
}
