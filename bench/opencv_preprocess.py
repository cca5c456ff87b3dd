"""OpenCV reference for the scale bench: cv2 decode -> INTER_AREA resize -> equalizeHist -> GaussianBlur
over a pool of processes, on the files listed in a text file (one path a line). Prints one JSON line:
{"images", "seconds", "cpu_seconds", "cv2"}; cpu_seconds is user + system time of this process and its
pool workers over the timed window (the pool is joined inside it, so the workers' time is counted).
Usage: python3 opencv_preprocess.py <list> <size> <ksize> <processes>"""
import json, resource, sys, time
from multiprocessing import Pool
import cv2

SIZE, K = int(sys.argv[2]), int(sys.argv[3])

def one(path):
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    img = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    img = cv2.equalizeHist(img)
    img = cv2.GaussianBlur(img, (K, K), 0)
    return int(img[0, 0])

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

if __name__ == '__main__':
    cv2.setNumThreads(1)
    files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    t0, c0 = time.perf_counter(), cpu()
    pool = Pool(int(sys.argv[4]))
    pool.map(one, files, chunksize=64)
    pool.close()
    pool.join()  # reaps the workers, so RUSAGE_CHILDREN includes them
    print(json.dumps({'images': len(files), 'seconds': time.perf_counter() - t0, 'cpu_seconds': cpu() - c0,
                      'cv2': cv2.__version__}))
